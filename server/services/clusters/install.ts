/**
 * What the admin runs in the cluster after attach or rotation, titled for the page.
 * The commands themselves come from the agent's own install artefacts
 * (lib/install/manifests.ts), so the page can never drift from the chart and the
 * manifests. Only the Secret command carries the token; the others name the Secret.
 */
import { DEFAULT_AGENT_NAMESPACE, renderInstallCommands } from '@/lib/install/manifests';

export const AGENT_TOKEN_SECRET = 'fleetdeck-agent-token';

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
  const commands = renderInstallCommands({
    clusterName,
    controlPlaneUrl,
    tenantName: tenant,
    tokenSecretName: AGENT_TOKEN_SECRET,
    token,
  });
  return {
    controlPlaneUrl: controlPlaneUrl.replace(/\/+$/, ''),
    tenant,
    namespace: DEFAULT_AGENT_NAMESPACE,
    secretName: AGENT_TOKEN_SECRET,
    commands: [
      { id: 'secret', title: 'Create the namespace and the token Secret', command: commands.createSecret },
      { id: 'helm', title: 'Install the agent with Helm', command: commands.helm },
      { id: 'manifest', title: 'Or apply the plain manifest instead of Helm', command: commands.manifestApply },
      { id: 'local', title: 'Or run the agent from a checkout, for a trial', command: commands.runLocally },
    ],
  };
}

/** The URL agents dial: configured, else what the admin's browser used to reach us. */
export function resolveControlPlaneUrl(requestOrigin: string | null): string {
  return process.env.FLEETDECK_PUBLIC_URL?.trim() || requestOrigin || `http://localhost:${process.env.PORT ?? '3000'}`;
}

export function resolveTenant(): string {
  return process.env.FLEETDECK_TENANT?.trim() || 'default';
}
