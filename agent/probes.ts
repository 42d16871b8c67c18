/**
 * Network probes behind two preflight checks. Short timeouts and concurrency so a
 * cluster with blocked egress answers in ~2 s, not 6 × a TCP timeout.
 */
import net from 'node:net';
import type { ProbeOutcome, RegistryProbeOutcome } from '@/agent/preflight';

function describeError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const code = (err as NodeJS.ErrnoException).code;
    return code ?? err.message;
  }
  return String(err);
}

/** `GET <prometheusUrl>/-/ready`: Prometheus answers 200 once it can serve queries. */
export async function probePrometheus(prometheusUrl: string, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const res = await fetch(new URL('/-/ready', prometheusUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? { ok: true, detail: 'ready' } : { ok: false, detail: `/-/ready answered HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `/-/ready ${describeError(err)}` };
  }
}

/** Splits `host:port` (default port 443; `[v6]:port` allowed). */
export function parseHostPort(target: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (v6) return { host: v6[1] ?? '', port: v6[2] ? Number(v6[2]) : 443 };
  const i = target.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(target.slice(i + 1))) return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
  return { host: target, port: 443 };
}

/** A TCP connect only: proves egress without pulling anything or needing credentials. */
export function probeTcp(target: string, timeoutMs: number): Promise<RegistryProbeOutcome> {
  const { host, port } = parseHostPort(target);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ target, ok, detail });
    };
    socket.setTimeout(timeoutMs, () => finish(false, 'timed out'));
    socket.once('connect', () => finish(true, 'connected'));
    socket.once('error', (err) => finish(false, describeError(err)));
  });
}

export function probeRegistries(targets: readonly string[], timeoutMs: number): Promise<RegistryProbeOutcome[]> {
  return Promise.all(targets.map((t) => probeTcp(t, timeoutMs)));
}
