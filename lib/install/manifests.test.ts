import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AGENT_VERSION } from '@/lib/agent-version';
import {
  renderAgentManifests,
  renderInstallCommands,
  renderUninstallCommands,
  shellQuote,
  type PolicyRule,
} from '@/lib/install/manifests';

const base = {
  clusterName: 'gpu-west',
  controlPlaneUrl: 'https://fleetdeck.example.com/',
  tenantName: 'Acme Research',
  tokenSecretName: 'fleetdeck-agent-token',
};

interface K8sDoc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  spec?: {
    strategy?: { type: string };
    template: {
      spec: {
        serviceAccountName: string;
        containers: Array<{
          args: string[];
          image: string;
          env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
        }>;
      };
    };
  };
}

function docs(yamlText: string): K8sDoc[] {
  return parseAllDocuments(yamlText).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as K8sDoc;
  });
}

describe('renderAgentManifests', () => {
  const rendered = renderAgentManifests({ ...base, image: 'registry.example.com/fleetdeck/agent:1.2.3' });
  const all = docs(rendered);
  const byKind = (kind: string) => all.find((d) => d.kind === kind);

  it('renders the five objects, in apply order, in the chosen namespace', () => {
    expect(all.map((d) => d.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
    ]);
    expect(byKind('Namespace')?.metadata.name).toBe('fleetdeck-agent');
    expect(byKind('Deployment')?.metadata.namespace).toBe('fleetdeck-agent');
    const custom = docs(renderAgentManifests({ ...base, namespace: 'ops-agents' }));
    expect(custom.map((d) => d.metadata.namespace ?? d.metadata.name)).toContain('ops-agents');
  });

  it('grants no wildcard verbs, resources or groups, nothing on Secrets, and delete only on namespaces', () => {
    const rules = byKind('ClusterRole')?.rules ?? [];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
      expect(rule.verbs).not.toContain('deletecollection');
      if (rule.verbs.includes('delete')) expect(rule.resources).toEqual(['namespaces']);
    }
    expect(rules.filter((r) => r.verbs.includes('delete')).flatMap((r) => r.resources)).toEqual(['namespaces']);
    // Writes are limited to namespaces and resource quotas.
    const writable = rules.filter((r) => r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
    expect(writable.flatMap((r) => r.resources).sort()).toEqual(['namespaces', 'resourcequotas']);
    // Everything the agent reads is granted.
    const readable = rules.flatMap((r) => r.resources);
    for (const resource of ['nodes', 'namespaces', 'pods', 'storageclasses', 'ingressclasses', 'customresourcedefinitions']) {
      expect(readable).toContain(resource);
    }
  });

  it('reads the token from the Secret, never from args or a literal', () => {
    const container = byKind('Deployment')?.spec?.template.spec.containers[0];
    expect(container?.env).toEqual([
      {
        name: 'FLEETDECK_CLUSTER_TOKEN',
        valueFrom: { secretKeyRef: { name: 'fleetdeck-agent-token', key: 'token' } },
      },
    ]);
    expect(container?.args).toEqual(['--control-plane-url', 'https://fleetdeck.example.com']);
    expect(container?.image).toBe('registry.example.com/fleetdeck/agent:1.2.3');
    expect(byKind('Deployment')?.spec?.strategy?.type).toBe('Recreate');
    expect(byKind('Deployment')?.spec?.template.spec.serviceAccountName).toBe('fleetdeck-agent');
  });

  it.each([
    { clusterName: 'GPU West' },
    { clusterName: 'abc-' },
    { namespace: 'bad_ns' },
    { tokenSecretName: 'x; rm -rf /' },
    { controlPlaneUrl: 'ftp://x' },
    { image: 'img"; evil' },
  ])('refuses unsafe input %o', (override) => {
    expect(() => renderAgentManifests({ ...base, ...override })).toThrow();
  });
});

describe('renderInstallCommands', () => {
  const commands = renderInstallCommands(base);

  it('creates the Secret from stdin, the token read from the terminal, never on a command line', () => {
    expect(commands.createSecret).toBe(
      [
        'kubectl create namespace fleetdeck-agent --dry-run=client -o yaml | kubectl apply -f -',
        `printf 'Paste the cluster token, then press Enter: '; read -rs FLEETDECK_TOKEN; echo`,
        `printf '%s' "$FLEETDECK_TOKEN" | kubectl -n fleetdeck-agent create secret generic fleetdeck-agent-token --from-file=token=/dev/stdin; unset FLEETDECK_TOKEN`,
      ].join('\n'),
    );
    expect(commands.createSecret).not.toMatch(/--from-literal/);
  });

  it('installs the chart the control plane serves, at the agent version', () => {
    expect(commands.helm).toBe(
      [
        'helm upgrade --install fleetdeck-agent fleetdeck-agent',
        `--repo https://fleetdeck.example.com/charts --version ${AGENT_VERSION}`,
        '--namespace fleetdeck-agent --create-namespace',
        '--set controlPlaneURL=https://fleetdeck.example.com',
        '--set-string clusterName=gpu-west',
        `--set-string 'tenantName=Acme Research'`,
        '--set clusterTokenSecret=fleetdeck-agent-token',
      ].join(' \\\n  '),
    );
    expect(commands.helm).not.toContain('./agent/chart');
  });

  it('escapes tenant names for the shell and for helm --set', () => {
    const { helm } = renderInstallCommands({ ...base, tenantName: `O'Brien, Inc` });
    expect(helm).toContain(`--set-string 'tenantName=O'\\''Brien\\, Inc'`);
  });

  it('applies the very manifests renderAgentManifests renders', () => {
    expect(commands.manifestApply).toBe(
      `kubectl apply -f - <<'FLEETDECK_AGENT_MANIFEST'\n${renderAgentManifests(base)}FLEETDECK_AGENT_MANIFEST`,
    );
  });

  it('runs the agent locally with the token read into its environment', () => {
    expect(commands.runLocally).toBe(
      `printf 'Paste the cluster token, then press Enter: '; read -rs FLEETDECK_CLUSTER_TOKEN; echo\n` +
        `FLEETDECK_CLUSTER_TOKEN="$FLEETDECK_CLUSTER_TOKEN" npm run agent -- --control-plane-url https://fleetdeck.example.com --kubeconfig ~/.kube/config`,
    );
  });
});

describe('renderUninstallCommands', () => {
  it('removes the release, then the Secret and the namespace', () => {
    const { helm, manifests } = renderUninstallCommands({ tokenSecretName: 'fleetdeck-agent-token' });
    expect(helm.split('\n')).toEqual([
      'helm uninstall fleetdeck-agent --namespace fleetdeck-agent',
      'kubectl -n fleetdeck-agent delete secret fleetdeck-agent-token --ignore-not-found',
      'kubectl delete namespace fleetdeck-agent --ignore-not-found',
    ]);
    // Without helm the cluster-scoped objects go explicitly; the namespace takes the rest.
    expect(manifests).toContain('kubectl delete clusterrolebinding fleetdeck-agent --ignore-not-found');
    expect(manifests).toContain('kubectl delete clusterrole fleetdeck-agent --ignore-not-found');
  });
});

describe('shellQuote', () => {
  it.each([
    ['plain-word', 'plain-word'],
    ['two words', `'two words'`],
    [`it's`, `'it'\\''s'`],
    ['$(reboot)', `'$(reboot)'`],
  ])('%s', (input, expected) => expect(shellQuote(input)).toBe(expected));
});
