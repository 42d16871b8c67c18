/**
 * `npm run agent -- --control-plane-url URL [--kubeconfig PATH] [--prometheus-url URL] [--token-file PATH]`
 *
 * Exit codes: 0 stopped by a signal; 1 the control plane rejected the token (or the
 * protocol) — restarting will not help; 2 bad command line or missing token.
 */
import { readFileSync } from 'node:fs';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { parseAgentArgs, resolveToken, USAGE } from '@/agent/cli';

const parsed = parseAgentArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`${parsed.message}\n\n${USAGE}\n`);
  process.exit(2);
}
const { options } = parsed;
const token = resolveToken(options.tokenFile, process.env, (path) => readFileSync(path, 'utf8'));
if ('error' in token) {
  process.stderr.write(`${token.error}\n`);
  process.exit(2);
}

let agent: AgentHandle;
try {
  agent = startAgent({
    controlPlaneUrl: options.controlPlaneUrl,
    token: token.token,
    kubeconfigPath: options.kubeconfigPath,
    prometheusUrl: options.prometheusUrl,
    registryHosts: options.registryHosts,
    logLevel: options.logLevel,
  });
} catch (err) {
  // A missing kubeconfig or a bad URL: say what is wrong, without a stack trace.
  process.stderr.write(`cannot start the agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(0);
    stopping = true;
    void agent.stop();
  });
}

const exit = await agent.done;
process.exit(exit.ok ? 0 : 1);
