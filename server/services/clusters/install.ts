/**
 * What the admin runs in the cluster after attach or rotation. The token appears only in
 * the Secret command and the local-run command, both returned once; the helm and
 * manifest commands reference the Secret by name so the token never lands in shell
 * history via `--set`.
 */
export const AGENT_NAMESPACE = 'fleetdeck-system';
export const AGENT_TOKEN_SECRET = 'fleetdeck-agent-token';
export const AGENT_HELM_CHART = 'oci://ghcr.io/fleetdeck/charts/fleetdeck-agent';

export interface InstallCommand {
  id: 'secret' | 'helm' | 'manifest' | 'local';
  /** What the step does, shown above the command. */
  title: string;
  command: string;
}

export interface InstallInstructions {
  controlPlaneUrl: string;
  tenant: string;
  namespace: string;
  secretName: string;
  commands: InstallCommand[];
}

export interface InstallTarget {
  clusterName: string;
  controlPlaneUrl: string;
  tenant: string;
  token: string;
}

export function renderInstallInstructions({ clusterName, controlPlaneUrl, tenant, token }: InstallTarget): InstallInstructions {
  const url = controlPlaneUrl.replace(/\/+$/, '');
  const manifestUrl = `${url}/api/agent/manifest?cluster=${encodeURIComponent(clusterName)}`;
  return {
    controlPlaneUrl: url,
    tenant,
    namespace: AGENT_NAMESPACE,
    secretName: AGENT_TOKEN_SECRET,
    commands: [
      {
        id: 'secret',
        title: 'Create the namespace and the token Secret',
        command: [
          `kubectl create namespace ${AGENT_NAMESPACE} --dry-run=client -o yaml | kubectl apply -f -`,
          `kubectl -n ${AGENT_NAMESPACE} create secret generic ${AGENT_TOKEN_SECRET} \\`,
          `  --from-literal=token='${token}' --dry-run=client -o yaml | kubectl apply -f -`,
        ].join('\n'),
      },
      {
        id: 'helm',
        title: 'Install the agent with Helm',
        command: [
          `helm upgrade --install fleetdeck-agent ${AGENT_HELM_CHART} \\`,
          `  --namespace ${AGENT_NAMESPACE} \\`,
          `  --set controlPlaneUrl=${url} \\`,
          `  --set clusterName=${clusterName} \\`,
          `  --set tenant=${tenant} \\`,
          `  --set tokenSecretName=${AGENT_TOKEN_SECRET}`,
        ].join('\n'),
      },
      {
        id: 'manifest',
        title: 'Or apply the plain manifest instead of Helm',
        command: `curl -fsSL '${manifestUrl}' | kubectl apply -f -`,
      },
      {
        id: 'local',
        title: 'Or run the agent from a checkout, for a trial',
        command: `FLEETDECK_CLUSTER_TOKEN='${token}' npm run agent -- --control-plane-url ${url} --kubeconfig ~/.kube/config`,
      },
    ],
  };
}

/** The URL agents dial: configured, else what the admin's browser used to reach us. */
export function resolveControlPlaneUrl(requestOrigin: string | undefined): string {
  return process.env.FLEETDECK_PUBLIC_URL?.trim() || requestOrigin || `http://localhost:${process.env.PORT ?? '3000'}`;
}

export function resolveTenant(): string {
  return process.env.FLEETDECK_TENANT?.trim() || 'default';
}
