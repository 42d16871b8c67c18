import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  AGENT_CLUSTER_ROLE_RULES,
  renderAgentManifests,
  renderInstallCommands,
  shellQuote,
  type PolicyRule,
} from '@/lib/install/manifests';

// The chart ships with the agent; this test keeps it identical to what lib/install renders.
const CHART = path.join(import.meta.dirname, '..', '..', 'agent', 'chart');
const TOKEN = 'fdct_Zx9_secret-token-value-0123456789abcdefghij';

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

  it('grants no wildcard verbs, resources or groups, and nothing on Secrets', () => {
    const rules = byKind('ClusterRole')?.rules ?? [];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
      expect(rule.verbs).not.toContain('delete');
      expect(rule.verbs).not.toContain('deletecollection');
    }
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
    { namespace: 'bad_ns' },
    { tokenSecretName: 'x; rm -rf /' },
    { controlPlaneUrl: 'ftp://x' },
    { image: 'img"; evil' },
  ])('refuses unsafe input %o', (override) => {
    expect(() => renderAgentManifests({ ...base, ...override })).toThrow();
  });
});

describe('helm chart', () => {
  /** Template expressions are replaced so the static structure can be parsed and compared. */
  const readTemplate = (file: string) =>
    parse(readFileSync(path.join(CHART, 'templates', file), 'utf8').replace(/^\s*\{\{-.*\}\}\s*$/gm, '').replace(/\{\{[^}]*\}\}/g, 'X')) as K8sDoc;

  it('has the values the install command sets', () => {
    const values = parse(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    for (const key of ['controlPlaneURL', 'clusterName', 'tenantName', 'clusterTokenSecret']) {
      expect(values).toHaveProperty(key);
    }
    const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { apiVersion: string; name: string };
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'fleetdeck-agent' });
  });

  it('grants exactly the RBAC the rendered manifests grant', () => {
    expect(readTemplate('clusterrole.yaml').rules).toEqual(AGENT_CLUSTER_ROLE_RULES);
  });

  it('takes the token from the Secret only', () => {
    const text = readFileSync(path.join(CHART, 'templates', 'deployment.yaml'), 'utf8');
    expect(text).toContain('secretKeyRef');
    expect(text).toContain('.Values.clusterTokenSecret');
    expect(text).not.toMatch(/--token\b/);
  });
});

describe('renderInstallCommands', () => {
  const withToken = renderInstallCommands({ ...base, token: TOKEN });
  const withoutToken = renderInstallCommands(base);

  it('puts the token in the Secret and local-run commands only, never on the helm line or in manifests', () => {
    expect(withToken.createSecret).toBe(
      `kubectl create namespace fleetdeck-agent --dry-run=client -o yaml | kubectl apply -f - && ` +
        `kubectl -n fleetdeck-agent create secret generic fleetdeck-agent-token --from-literal=token=${TOKEN}`,
    );
    expect(withToken.helm).not.toContain(TOKEN);
    expect(withToken.manifestApply).not.toContain(TOKEN);
    expect(withToken.runLocally).toBe(
      `FLEETDECK_CLUSTER_TOKEN=${TOKEN} npm run agent -- --control-plane-url https://fleetdeck.example.com --kubeconfig ~/.kube/config`,
    );
    expect(withoutToken.createSecret).toContain(`--from-literal=token='<PASTE_TOKEN>'`);
  });

  it('builds the helm command from the chart values', () => {
    expect(withToken.helm).toBe(
      [
        'helm upgrade --install fleetdeck-agent ./agent/chart',
        '--namespace fleetdeck-agent --create-namespace',
        '--set controlPlaneURL=https://fleetdeck.example.com',
        '--set-string clusterName=gpu-west',
        `--set-string 'tenantName=Acme Research'`,
        '--set clusterTokenSecret=fleetdeck-agent-token',
      ].join(' \\\n  '),
    );
  });

  it('escapes tenant names for the shell and for helm --set', () => {
    const { helm } = renderInstallCommands({ ...base, tenantName: `O'Brien, Inc` });
    expect(helm).toContain(`--set-string 'tenantName=O'\\''Brien\\, Inc'`);
  });

  it('applies the very manifests renderAgentManifests renders', () => {
    expect(withToken.manifestApply).toBe(
      `kubectl apply -f - <<'FLEETDECK_AGENT_MANIFEST'\n${renderAgentManifests(base)}FLEETDECK_AGENT_MANIFEST`,
    );
  });

  it('runs the agent locally with the token from the environment', () => {
    expect(withoutToken.runLocally).toBe(
      `FLEETDECK_CLUSTER_TOKEN='<PASTE_TOKEN>' npm run agent -- --control-plane-url https://fleetdeck.example.com --kubeconfig ~/.kube/config`,
    );
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
