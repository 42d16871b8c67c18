/**
 * What the admin runs in the cluster after attach or rotation, titled for the page.
 * The commands themselves come from the agent's own install artefacts
 * (lib/install/manifests.ts), so the page can never drift from the served chart and the
 * manifests. No command carries the token: the Secret command reads it from the
 * terminal; the others name the Secret.
 */
import { AGENT_CHART_ARCHIVE } from '@/lib/install/chart';
import {
  AGENT_CHART_REPO_PATH,
  DEFAULT_AGENT_NAMESPACE,
  DEFAULT_TOKEN_SECRET_NAME,
  renderInstallCommands,
} from '@/lib/install/manifests';
import { reachabilityWarning } from '@/lib/install/reachability';
import type { ControlPlaneConfig } from '@/server/config';
import { InvalidError } from '@/server/errors';

export const AGENT_TOKEN_SECRET = DEFAULT_TOKEN_SECRET_NAME;

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
  /** The packaged agent chart this control plane serves (for installs without `--repo`). */
  chartUrl: string;
  /** Set when agents would dial a loopback or private-looking address: why, and the fix (FLEETDECK_PUBLIC_URL). */
  reachabilityWarning: string | null;
  commands: InstallCommand[];
}

export interface InstallTarget {
  clusterName: string;
  controlPlaneUrl: string;
  tenant: string;
}

function renderInstallInstructions({ clusterName, controlPlaneUrl, tenant }: InstallTarget): InstallInstructions {
  const commands = renderInstallCommands({
    clusterName,
    controlPlaneUrl,
    tenantName: tenant,
    tokenSecretName: AGENT_TOKEN_SECRET,
  });
  const baseUrl = controlPlaneUrl.replace(/\/+$/, '');
  return {
    controlPlaneUrl: baseUrl,
    tenant,
    namespace: DEFAULT_AGENT_NAMESPACE,
    secretName: AGENT_TOKEN_SECRET,
    chartUrl: `${baseUrl}${AGENT_CHART_REPO_PATH}/${AGENT_CHART_ARCHIVE}`,
    reachabilityWarning: reachabilityWarning(baseUrl),
    commands: [
      {
        id: 'secret',
        title: 'Create the namespace and the token Secret (paste the token above at the prompt)',
        command: commands.createSecret,
      },
      { id: 'helm', title: 'Install the agent with Helm, from the chart this control plane serves', command: commands.helm },
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

/**
 * The install instructions for `clusterName`, from the configuration and the request.
 * `_token` (the one just minted) is deliberately unused: it is shown beside the
 * commands and pasted at their prompt, never written into them.
 */
export function installInstructionsFor(config: InstallConfig, requestOrigin: string | null, clusterName: string, _token: string): InstallInstructions {
  return renderInstallInstructions({
    clusterName,
    controlPlaneUrl: resolveControlPlaneUrl(config, requestOrigin),
    tenant: config.tenant,
  });
}
