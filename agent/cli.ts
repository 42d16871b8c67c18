/**
 * Command-line parsing for `npm run agent -- …`. Pure (argv and env in, options out)
 * so the rules are unit-tested; `agent/main.ts` does the I/O.
 *
 * There is deliberately no `--token` flag: command lines are visible to every user of
 * the machine (`ps`) and end up in shell history. The token comes from a file (the
 * mounted Secret) or from `FLEETDECK_CLUSTER_TOKEN` (the Deployment's `secretKeyRef`).
 */
import { parseArgs } from 'node:util';
import type { LogLevel } from '@/agent/logger';

export const TOKEN_ENV = 'FLEETDECK_CLUSTER_TOKEN';

export const USAGE = `Usage: npm run agent -- --control-plane-url URL [options]

Options:
  --control-plane-url URL     Fleetdeck control plane (http, https, ws or wss)
  --kubeconfig PATH           kubeconfig file (default: in-cluster service account, else ~/.kube/config)
  --prometheus-url URL        override the cluster's Prometheus URL (e.g. a port-forward)
  --token-file PATH           file holding the cluster token (default: $${TOKEN_ENV})
  --registry-hosts H:P,...    registries to check egress to (default: the public registries on :443)
  --log-level LEVEL           debug | info | warn | error (default: info)
  --help                      show this text`;

export interface CliOptions {
  controlPlaneUrl: string;
  kubeconfigPath?: string;
  prometheusUrl?: string;
  tokenFile?: string;
  registryHosts?: string[];
  logLevel?: LogLevel;
}

export type CliParse = { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; options: CliOptions };

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function isHttpish(value: string): boolean {
  try {
    return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function parseAgentArgs(argv: readonly string[]): CliParse {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'control-plane-url': { type: 'string' },
        kubeconfig: { type: 'string' },
        'prometheus-url': { type: 'string' },
        'token-file': { type: 'string' },
        'registry-hosts': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help === true) return { kind: 'help' };
  const str = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);

  const controlPlaneUrl = str('control-plane-url');
  if (!controlPlaneUrl) return { kind: 'error', message: '--control-plane-url is required' };
  if (!isHttpish(controlPlaneUrl)) {
    return { kind: 'error', message: `--control-plane-url must be an http(s) or ws(s) URL, got "${controlPlaneUrl}"` };
  }
  const prometheusUrl = str('prometheus-url');
  if (prometheusUrl !== undefined && !isHttpish(prometheusUrl)) {
    return { kind: 'error', message: `--prometheus-url must be an http(s) URL, got "${prometheusUrl}"` };
  }
  const logLevel = str('log-level');
  if (logLevel !== undefined && !(LOG_LEVELS as string[]).includes(logLevel)) {
    return { kind: 'error', message: `--log-level must be one of ${LOG_LEVELS.join(', ')}` };
  }
  const registryHosts = str('registry-hosts')
    ?.split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);

  const options: CliOptions = { controlPlaneUrl };
  const kubeconfigPath = str('kubeconfig');
  const tokenFile = str('token-file');
  if (kubeconfigPath) options.kubeconfigPath = kubeconfigPath;
  if (prometheusUrl) options.prometheusUrl = prometheusUrl;
  if (tokenFile) options.tokenFile = tokenFile;
  if (registryHosts) options.registryHosts = registryHosts;
  if (logLevel) options.logLevel = logLevel as LogLevel;
  return { kind: 'run', options };
}

/**
 * The token from `--token-file` (trimmed: Secrets created with `echo` end in a newline)
 * or from the environment. Returns an error message instead when there is none.
 */
export function resolveToken(
  tokenFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): { token: string } | { error: string } {
  if (tokenFile) {
    let content: string;
    try {
      content = readFile(tokenFile);
    } catch (err) {
      return { error: `cannot read --token-file ${tokenFile}: ${err instanceof Error ? err.message : String(err)}` };
    }
    const token = content.trim();
    return token ? { token } : { error: `--token-file ${tokenFile} is empty` };
  }
  const token = env[TOKEN_ENV]?.trim();
  return token ? { token } : { error: `no cluster token: set ${TOKEN_ENV} or pass --token-file` };
}
