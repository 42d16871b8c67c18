/**
 * The agent's Kubernetes install artefacts, rendered by the control plane for one
 * cluster: the manifests (`renderAgentManifests`) and the commands the attach page
 * shows (`renderInstallCommands`). The helm chart the control plane serves at
 * `/charts` is generated from the same objects (`chart.ts`), so the two cannot drift.
 *
 * Pure: no I/O, so the UI, the server and the tests share it.
 */
import { stringify } from 'yaml';
import { AGENT_VERSION } from '@/lib/agent-version';

export const DEFAULT_AGENT_NAMESPACE = 'fleetdeck-agent';
export const AGENT_NAME = 'fleetdeck-agent';
export const DEFAULT_AGENT_IMAGE = `ghcr.io/fleetdeck/agent:${AGENT_VERSION}`;
/** The token Secret's name unless told otherwise. */
export const DEFAULT_TOKEN_SECRET_NAME = 'fleetdeck-agent-token';
/** Key inside the token Secret. */
export const TOKEN_SECRET_KEY = 'token';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];

/**
 * Least privilege: read what the cluster state needs; write only namespaces and
 * resource quotas, for workspaces. No wildcards, no Secrets; delete only on namespaces
 * (a deleted workspace's, and the agent checks Fleetdeck's managed-by label first). A
 * workspace whose quota is removed gets an empty `fleetdeck-quota` instead of a delete.
 *
 * RBAC cannot scope a ClusterRole to "namespaces Fleetdeck will create later", so the
 * quota grant is cluster-wide; the agent only ever acts on its workspace namespaces.
 */
export const AGENT_CLUSTER_ROLE_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes', 'pods'], verbs: READ },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'get', 'list', 'watch', 'update', 'delete'] },
  { apiGroups: [''], resources: ['resourcequotas'], verbs: ['create', 'get', 'list', 'watch', 'update'] },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: READ },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
];

export interface AgentInstallOptions {
  /** The cluster's name in Fleetdeck (3–35 chars, lower-case, digits, `-`). */
  clusterName: string;
  /** Base URL of the control plane the agent dials. */
  controlPlaneUrl: string;
  /** Organisation shown in annotations; free text. */
  tenantName: string;
  /** Name of the Secret holding the cluster token under key `token`. */
  tokenSecretName: string;
  /** Default {@link DEFAULT_AGENT_NAMESPACE}. */
  namespace?: string;
  /** Default {@link DEFAULT_AGENT_IMAGE}. */
  image?: string;
}

/** A DNS-1123 label of 3–35 characters starting with a letter: a valid label value and namespace name part. */
const CLUSTER_NAME = /^[a-z]([a-z0-9-]{1,33})[a-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

/**
 * Rejects values that could not be valid Kubernetes names, and anything that could
 * break out of a YAML scalar or a shell word in the commands built from them.
 */
function validate(options: AgentInstallOptions): Required<AgentInstallOptions> {
  const namespace = options.namespace ?? DEFAULT_AGENT_NAMESPACE;
  const image = options.image ?? DEFAULT_AGENT_IMAGE;
  if (!CLUSTER_NAME.test(options.clusterName)) throw new Error(`invalid cluster name "${options.clusterName}"`);
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw new Error(`invalid namespace "${namespace}"`);
  if (!DNS_SUBDOMAIN.test(options.tokenSecretName) || options.tokenSecretName.length > 253) {
    throw new Error(`invalid Secret name "${options.tokenSecretName}"`);
  }
  if (!IMAGE.test(image)) throw new Error(`invalid image "${image}"`);
  let url: URL;
  try {
    url = new URL(options.controlPlaneUrl);
  } catch {
    throw new Error(`invalid control plane URL "${options.controlPlaneUrl}"`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new Error(`control plane URL must be http(s) or ws(s): "${options.controlPlaneUrl}"`);
  }
  return { ...options, namespace, image, controlPlaneUrl: url.toString().replace(/\/$/, '') };
}

/** The values the objects are built from, already validated (or, for the chart, template placeholders). */
export type AgentManifestValues = Required<Omit<AgentInstallOptions, 'controlPlaneUrl'>> & { controlPlaneUrl: string };

/**
 * The install's objects: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding,
 * Deployment. Every value from `values` is a whole scalar (never part of a longer
 * string), which is what lets `chart.ts` put template expressions in their place.
 */
export function agentManifestObjects(o: AgentManifestValues): object[] {
  const labels = {
    'app.kubernetes.io/name': AGENT_NAME,
    'app.kubernetes.io/part-of': 'fleetdeck',
    'app.kubernetes.io/managed-by': 'fleetdeck',
    'fleetdeck.io/cluster': o.clusterName,
  };
  const annotations = { 'fleetdeck.io/tenant': o.tenantName, 'fleetdeck.io/control-plane': o.controlPlaneUrl };
  const selector = { 'app.kubernetes.io/name': AGENT_NAME };

  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AGENT_NAME, namespace: o.namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: AGENT_NAME, labels },
      rules: AGENT_CLUSTER_ROLE_RULES.map((r) => ({ ...r })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: o.namespace }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: AGENT_NAME, namespace: o.namespace, labels, annotations },
      spec: {
        replicas: 1,
        // Never two agents at once: the control plane keeps one session per cluster and
        // a rolling update would have old and new take it from each other.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...selector }, annotations },
          spec: {
            serviceAccountName: AGENT_NAME,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'agent',
                image: o.image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--control-plane-url', o.controlPlaneUrl],
                env: [
                  {
                    name: 'FLEETDECK_CLUSTER_TOKEN',
                    valueFrom: { secretKeyRef: { name: o.tokenSecretName, key: TOKEN_SECRET_KEY } },
                  },
                ],
                resources: {
                  requests: { cpu: '50m', memory: '128Mi' },
                  limits: { memory: '512Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

export function toYamlDocuments(documents: readonly object[]): string {
  return documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** Multi-document YAML: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, Deployment. */
export function renderAgentManifests(options: AgentInstallOptions): string {
  return toYamlDocuments(agentManifestObjects(validate(options)));
}

/** Quotes a value for a POSIX shell, leaving plain words readable. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Escapes what `helm --set` treats specially inside a value (`,` separates assignments). */
function helmValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

/** Where the control plane serves the agent chart (a helm repository), under its public URL. */
export const AGENT_CHART_REPO_PATH = '/charts';

export interface InstallCommands {
  /**
   * Creates the namespace (if needed) and the token Secret. The token is read from the
   * terminal (`read -s`) and piped to kubectl as a file: it is never in argv, in the
   * command text or in shell history.
   */
  createSecret: string;
  /** Installs the chart the control plane serves; references the Secret by name, never the token. */
  helm: string;
  /** The same install without helm: applies the rendered manifests from a here-document. */
  manifestApply: string;
  /** Runs the agent from a checkout against the current kubeconfig (trials, demos); the token is read from the terminal into its environment. */
  runLocally: string;
}

/** Reads the token from the terminal without echo into `variable` (bash and zsh alike). */
function readTokenInto(variable: string): string {
  return `printf 'Paste the cluster token, then press Enter: '; read -rs ${variable}; echo`;
}

/**
 * The commands the attach page shows. None carries the token: the admin copies it from
 * the page and pastes it at the prompt the Secret command opens.
 */
export function renderInstallCommands(options: AgentInstallOptions): InstallCommands {
  const o = validate(options);
  const ns = shellQuote(o.namespace);
  const createSecret = [
    `kubectl create namespace ${ns} --dry-run=client -o yaml | kubectl apply -f -`,
    readTokenInto('FLEETDECK_TOKEN'),
    // printf is a shell builtin: no process is started with the token in its arguments.
    `printf '%s' "$FLEETDECK_TOKEN" | kubectl -n ${ns} create secret generic ${shellQuote(o.tokenSecretName)} ` +
      `--from-file=${TOKEN_SECRET_KEY}=/dev/stdin; unset FLEETDECK_TOKEN`,
  ].join('\n');
  const set = (key: string, value: string, asString = false) =>
    `${asString ? '--set-string' : '--set'} ${shellQuote(`${key}=${helmValue(value)}`)}`;
  const helm = [
    `helm upgrade --install ${AGENT_NAME} ${AGENT_NAME}`,
    `--repo ${shellQuote(`${o.controlPlaneUrl}${AGENT_CHART_REPO_PATH}`)} --version ${shellQuote(AGENT_VERSION)}`,
    `--namespace ${ns} --create-namespace`,
    set('controlPlaneURL', o.controlPlaneUrl),
    set('clusterName', o.clusterName, true),
    set('tenantName', o.tenantName, true),
    set('clusterTokenSecret', o.tokenSecretName),
    ...(options.image ? [set('image', o.image)] : []),
  ].join(' \\\n  ');
  const manifestApply = `kubectl apply -f - <<'FLEETDECK_AGENT_MANIFEST'\n${renderAgentManifests(options)}FLEETDECK_AGENT_MANIFEST`;
  const runLocally = [
    readTokenInto('FLEETDECK_CLUSTER_TOKEN'),
    `FLEETDECK_CLUSTER_TOKEN="$FLEETDECK_CLUSTER_TOKEN" npm run agent -- ` +
      `--control-plane-url ${shellQuote(o.controlPlaneUrl)} --kubeconfig ~/.kube/config`,
  ].join('\n');
  return { createSecret, helm, manifestApply, runLocally };
}

/** What removes the agent from a cluster after detach: the release (or the manifests' objects), the Secret, the namespace. */
export function renderUninstallCommands(options: { namespace?: string; tokenSecretName: string }): { helm: string; manifests: string } {
  const namespace = options.namespace ?? DEFAULT_AGENT_NAMESPACE;
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw new Error(`invalid namespace "${namespace}"`);
  if (!DNS_SUBDOMAIN.test(options.tokenSecretName)) throw new Error(`invalid Secret name "${options.tokenSecretName}"`);
  const ns = shellQuote(namespace);
  const secretAndNamespace =
    `kubectl -n ${ns} delete secret ${shellQuote(options.tokenSecretName)} --ignore-not-found\n` +
    `kubectl delete namespace ${ns} --ignore-not-found`;
  return {
    helm: `helm uninstall ${AGENT_NAME} --namespace ${ns}\n${secretAndNamespace}`,
    manifests:
      `kubectl delete clusterrolebinding ${AGENT_NAME} --ignore-not-found\n` +
      `kubectl delete clusterrole ${AGENT_NAME} --ignore-not-found\n` +
      secretAndNamespace,
  };
}
