/**
 * What the admin runs in the cluster after attach or rotation, titled for the page.
 * The commands themselves come from the agent's own install artefacts
 * (lib/install/manifests.ts), so the page can never drift from the chart and the
 * manifests. Only the Secret command carries the token; the others name the Secret.
 */
import { DEFAULT_AGENT_NAMESPACE, renderInstallCommands } from '@/lib/install/manifests';
import type { ControlPlaneConfig } from '@/server/config';
import { InvalidError } from '@/server/errors';

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

function renderInstallInstructions({ clusterName, controlPlaneUrl, tenant, token }: InstallTarget): InstallInstructions {
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

/** What install commands take from the configuration. */
export type InstallConfig = Pick<ControlPlaneConfig, 'publicUrl' | 'tenant' | 'port'>;

const PLAIN_HOST = /^[a-z0-9.-]{1,253}$|^\[[0-9a-f:.]{2,45}\]$/i;

/**
 * `origin` as a bare `scheme://host[:port]` agents can dial, or null when it is not one.
 * It ends up in shell commands an admin pastes, so anything odd is refused, not echoed.
 */
function dialableOrigin(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!bare || (url.protocol !== 'http:' && url.protocol !== 'https:') || !PLAIN_HOST.test(url.hostname)) return null;
  return url.origin;
}

/**
 * The URL agents dial: the configured public URL, else the origin the admin's browser
 * used to reach us, else this machine on the configured port. Throws `InvalidError`
 * (before anything is written) when the request's origin cannot be dialled.
 */
function resolveControlPlaneUrl(config: InstallConfig, requestOrigin: string | null): string {
  if (config.publicUrl) return config.publicUrl;
  if (requestOrigin === null) return `http://localhost:${config.port}`;
  const origin = dialableOrigin(requestOrigin);
  if (!origin) {
    throw new InvalidError(
      'The address this page was reached on cannot be used in install commands. ' +
        'Open Fleetdeck at its usual address, or set FLEETDECK_PUBLIC_URL to the URL agents should dial.',
    );
  }
  return origin;
}

/** The install instructions for `clusterName` and its new token, from the configuration and the request. */
export function installInstructionsFor(config: InstallConfig, requestOrigin: string | null, clusterName: string, token: string): InstallInstructions {
  return renderInstallInstructions({
    clusterName,
    controlPlaneUrl: resolveControlPlaneUrl(config, requestOrigin),
    tenant: config.tenant,
    token,
  });
}
