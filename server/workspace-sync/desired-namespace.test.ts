import { describe, expect, it } from 'vitest';
import type { ManagedNamespaceState } from '@/lib/agent-protocol';
import { describeDrift, desiredNamespace, fqnLabelValue, parseQuantity } from './desired-namespace';

const spec = {
  clusterName: 'gpu-west',
  name: 'team-a',
  environmentName: 'dev',
  labels: { team: 'a', 'fleetdeck.io/environment': 'not-this' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' as const }],
  quota: { cpu: '500m', memory: '2Gi', gpus: 1 },
};

function reportedAs(overrides: Partial<ManagedNamespaceState> = {}): ManagedNamespaceState {
  const desired = desiredNamespace(spec);
  return {
    name: 'team-a',
    labels: { ...desired.labels, 'kubernetes.io/metadata.name': 'team-a', other: 'x' },
    annotations: desired.annotations,
    quota: { hard: { ...desired.quota }, used: {} },
    ...overrides,
  };
}

describe('desired namespace', () => {
  it("puts Fleetdeck's labels over the workspace's, the FQN and tolerations in annotations, and the quota keys", () => {
    const desired = desiredNamespace(spec);
    expect(desired.labels).toEqual({
      team: 'a',
      'app.kubernetes.io/managed-by': 'fleetdeck',
      'fleetdeck.io/environment': 'dev',
      'fleetdeck.io/workspace': 'gpu-west.team-a',
    });
    expect(desired.annotations).toEqual({
      'fleetdeck.io/fqn': 'gpu-west:team-a',
      'scheduler.alpha.kubernetes.io/defaultTolerations': '[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]',
    });
    expect(desired.quota).toEqual({ cpu: '500m', memory: '2Gi', 'requests.nvidia.com/gpu': '1' });
    expect(desiredNamespace({ ...spec, tolerations: [], quota: {} }).annotations).not.toHaveProperty('scheduler.alpha.kubernetes.io/defaultTolerations');
    expect(desiredNamespace({ ...spec, quota: {} }).quota).toBeNull();
  });

  it('keeps the FQN label within 63 characters, cutting the cluster part', () => {
    const value = fqnLabelValue('c'.repeat(35), 'w'.repeat(32));
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value.endsWith(`.${'w'.repeat(32)}`)).toBe(true);
  });

  it('reads quantities as the API server normalises them', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2Gi')).toBe(2 ** 31);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(parseQuantity('lots')).toBeNaN();
  });
});

describe('drift', () => {
  const desired = desiredNamespace(spec);

  it('is none when Fleetdeck’s keys match, whatever else is there, and quantities are only written differently', () => {
    expect(describeDrift(desired, reportedAs({ quota: { hard: { cpu: '0.5', memory: '2048Mi', 'requests.nvidia.com/gpu': '1' }, used: {} } }))).toBeNull();
  });

  it('names what changed in human words', () => {
    expect(describeDrift(desired, null)).toBe('Namespace deleted in the cluster');
    expect(describeDrift(desired, reportedAs({ labels: { ...reportedAs().labels, 'fleetdeck.io/environment': 'prod' } }))).toBe(
      'Label fleetdeck.io/environment is prod, expected dev',
    );
    expect(describeDrift(desired, reportedAs({ quota: null }))).toBe('ResourceQuota fleetdeck-quota deleted in the cluster');
    expect(describeDrift(desired, reportedAs({ quota: { hard: { cpu: '4', memory: '2Gi', 'requests.nvidia.com/gpu': '1' }, used: {} } }))).toBe(
      'Quota cpu is 4, expected 500m',
    );
    expect(describeDrift(desired, reportedAs({ annotations: {} }))).toBe(
      'Annotation fleetdeck.io/fqn was removed; Annotation scheduler.alpha.kubernetes.io/defaultTolerations was removed',
    );
  });
});
