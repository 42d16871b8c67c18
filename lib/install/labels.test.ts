/**
 * Issue 9, finding 4: every label the rendered manifests carry (object labels, selector
 * labels, pod template labels) obeys Kubernetes' own rules, for every cluster name the
 * shared schema accepts. The rules are apimachinery's IsQualifiedName (keys) and
 * IsValidLabelValue (values), transcribed below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderAgentManifests } from '@/lib/install/manifests';
import { clusterName } from '@/lib/schemas/cluster';

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What Kubernetes would say about a label key; empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`${key}: at most one "/"`];
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0] ?? ''];
  const errors: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) {
    errors.push(`${key}: prefix must be a DNS-1123 subdomain`);
  }
  if (!name || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) errors.push(`${key}: name part must be 1–63 alphanumerics, "-", "_", "." and start and end alphanumeric`);
  return errors;
}

/** What Kubernetes would say about a label value; empty when valid. */
export function labelValueErrors(value: unknown): string[] {
  if (typeof value !== 'string') return [`${String(value)}: not a string`];
  if (value.length > 63) return [`${value}: longer than 63 characters`];
  return LABEL_VALUE.test(value) ? [] : [`"${value}": must be empty or start and end alphanumeric, with "-", "_", "." between`];
}

interface LabelSet {
  where: string;
  labels: Record<string, unknown>;
}

/** Every label map in the rendered objects: metadata labels, selectors, pod template labels. */
function labelSets(yamlText: string): LabelSet[] {
  const sets: LabelSet[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const object = doc.toJS() as {
      kind: string;
      metadata?: { labels?: Record<string, unknown> };
      spec?: { selector?: { matchLabels?: Record<string, unknown> }; template?: { metadata?: { labels?: Record<string, unknown> } } };
    };
    if (object.metadata?.labels) sets.push({ where: `${object.kind}.metadata.labels`, labels: object.metadata.labels });
    if (object.spec?.selector?.matchLabels) sets.push({ where: `${object.kind}.spec.selector.matchLabels`, labels: object.spec.selector.matchLabels });
    if (object.spec?.template?.metadata?.labels) {
      sets.push({ where: `${object.kind}.spec.template.metadata.labels`, labels: object.spec.template.metadata.labels });
    }
  }
  return sets;
}

function labelErrorsFor(name: string): string[] {
  const yamlText = renderAgentManifests({
    clusterName: name,
    controlPlaneUrl: 'https://fleetdeck.example.com',
    tenantName: 'Acme',
    tokenSecretName: 'fleetdeck-agent-token',
  });
  const sets = labelSets(yamlText);
  expect(sets.length).toBeGreaterThanOrEqual(7);
  return sets.flatMap(({ where, labels }) =>
    Object.entries(labels).flatMap(([key, value]) => [...labelKeyErrors(key), ...labelValueErrors(value)].map((e) => `${where}: ${e}`)),
  );
}

describe('labels of the rendered manifests', () => {
  it('the rules catch what the issue found', () => {
    expect(labelValueErrors('abc-')).not.toEqual([]);
    expect(labelValueErrors('a'.repeat(64))).not.toEqual([]);
    expect(labelKeyErrors('fleetdeck.io/cluster')).toEqual([]);
    expect(labelKeyErrors('Bad_Prefix/x')).not.toEqual([]);
  });

  it.each(['abc', 'abc1', 'a-b', 'a--b', 'gpu-west-2', `a${'b'.repeat(33)}c`])('%s: every label key and value is valid', (name) => {
    expect(clusterName.safeParse(name).success).toBe(true);
    expect(labelErrorsFor(name)).toEqual([]);
  });

  it.each(['abc-', '-abc', 'ab', `a${'b'.repeat(35)}`, 'ABC', 'a_b', 'a.b'])('%s: refused by the schema and by the renderer', (name) => {
    expect(clusterName.safeParse(name).success).toBe(false);
    expect(() => labelErrorsFor(name)).toThrow(/invalid cluster name/);
  });

  it('every name the schema accepts renders valid labels (many names)', { timeout: 60_000 }, () => {
    const chars = (alphabet: string, min: number, max: number) =>
      fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((c) => c.join(''));
    const candidate = fc.oneof(
      // Mostly name-shaped (a letter, a middle with runs of '-', any last character) so many are accepted ...
      fc.tuple(chars('abcdefghijklmnopqrstuvwxyz', 1, 1), chars('abcxyz0189---', 0, 36), chars('az09-', 0, 1)).map((p) => p.join('')),
      // ... and some anything-goes, for the refusals.
      chars('abcz09-_.A', 1, 40),
    );
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (name) => {
        if (!clusterName.safeParse(name).success) return;
        accepted++;
        expect(labelErrorsFor(name)).toEqual([]);
      }),
      { numRuns: 400 },
    );
    // The property must have exercised real names, not just refusals.
    expect(accepted).toBeGreaterThan(100);
  });
});
