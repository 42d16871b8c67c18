/**
 * A fleet of protocol clients in a child process of a test, so thousands of sockets
 * and their frames do not share the event loop being measured. Each client behaves as
 * an agent does about connections: hello, then its whole state as a snapshot, and on
 * any end of the connection (a restart, a refused dial) it dials again after a short
 * jittered delay, with the same token, and sends its snapshot again.
 *
 *   const fleet = await startAgentFleet();      // forks this file
 *   await fleet.start(baseUrl, tokens, 5);      // resolves when every client is welcomed
 *   await fleet.dropNode([0, 2, 4]);            // those clients report a node gone (a delta)
 *   await fleet.stats();                        // sessions welcomed, dials, open sockets
 *   fleet.stop();
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOSE_CODES, type NodeState } from '@/lib/agent-protocol';
import { clusterState, node, ProtocolClient } from './protocol-client';

type ToFleet =
  | { type: 'start'; baseUrl: string; tokens: string[]; nodesPerCluster: number }
  | { type: 'dropNode'; clients: number[] }
  | { type: 'stats' };
export interface FleetStats {
  /** Sessions welcomed since start, all clients together (a reconnect is one more). */
  welcomed: number;
  /** Clients whose socket is open and welcomed now. */
  live: number;
  dials: number;
  failedDials: number;
  /** Close codes seen, with how often. */
  closeCodes: Record<string, number>;
}
type FromFleet = { type: 'ready' } | { type: 'started' } | { type: 'dropped' } | ({ type: 'stats' } & FleetStats);

/** Redial delay: agents back off; a restart's storm comes from all of them retrying at once. */
const REDIAL_MS = { min: 50, jitter: 200 };

function runFleet(): void {
  const stats: FleetStats = { welcomed: 0, live: 0, dials: 0, failedDials: 0, closeCodes: {} };
  const states: NodeState[][] = [];
  const live = new Set<number>();
  let baseUrl = '';
  let tokens: string[] = [];
  const send = (message: FromFleet) => process.send?.(message);
  const sockets = new Map<number, ProtocolClient>();

  const redial = (index: number) => {
    const delay = REDIAL_MS.min + Math.random() * REDIAL_MS.jitter;
    setTimeout(() => void dial(index), delay);
  };

  const dial = async (index: number): Promise<void> => {
    stats.dials++;
    let client: ProtocolClient;
    try {
      client = await ProtocolClient.connect(baseUrl, tokens[index] ?? '', { recordFrames: false });
    } catch {
      stats.failedDials++;
      redial(index);
      return;
    }
    sockets.set(index, client);
    void client.closed.then(({ code }) => {
      live.delete(index);
      stats.closeCodes[code] = (stats.closeCodes[code] ?? 0) + 1;
      if (code !== CLOSE_CODES.revoked) redial(index);
    });
    try {
      await client.hello({ agentVersion: 'storm', kubernetesVersion: 'v1.30.2' }, 30_000);
    } catch {
      client.kill();
      return;
    }
    client.snapshot(clusterState({ nodes: states[index] ?? [] }));
    stats.welcomed++;
    live.add(index);
  };

  process.on('message', (raw) => {
    const message = raw as ToFleet;
    if (message.type === 'start') {
      ({ baseUrl, tokens } = message);
      for (let i = 0; i < tokens.length; i++) states[i] = Array.from({ length: message.nodesPerCluster }, (_, n) => node(`c${i}-n${n}`));
      // Dialled in waves of 100, as a fleet that came up over a moment would.
      void (async () => {
        for (let i = 0; i < tokens.length; i += 100) {
          await Promise.all(Array.from({ length: Math.min(100, tokens.length - i) }, (_, k) => dial(i + k)));
        }
        send({ type: 'started' });
      })();
    } else if (message.type === 'dropNode') {
      for (const index of message.clients) {
        const gone = states[index]?.pop();
        const client = sockets.get(index);
        if (gone && client && live.has(index)) client.delta({ kind: 'node.delete', name: gone.name });
      }
      send({ type: 'dropped' });
    } else {
      send({ type: 'stats', ...stats, live: live.size });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

export interface AgentFleet {
  /** Dials every token; resolves once each client has been welcomed once (or given up on a first dial and retrying). */
  start(baseUrl: string, tokens: string[], nodesPerCluster: number): Promise<void>;
  /** Each listed client drops its last node and reports it in a delta (if connected). */
  dropNode(clients: number[]): Promise<void>;
  stats(): Promise<FleetStats>;
  stop(): void;
}

export async function startAgentFleet(): Promise<AgentFleet> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const child = fork(fileURLToPath(import.meta.url), ['--fleet'], { cwd: root, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  // The agents stand in for other machines: on a shared box the control plane under test gets the CPU first.
  if (child.pid !== undefined) os.setPriority(child.pid, 19);
  const next = <T extends FromFleet['type']>(type: T): Promise<Extract<FromFleet, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        const message = raw as FromFleet;
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<FromFleet, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the agent fleet exited (${code}) before answering ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const tell = (message: ToFleet) => (child as ChildProcess).send(message);
  await next('ready');
  return {
    async start(baseUrl, tokens, nodesPerCluster) {
      const started = next('started');
      tell({ type: 'start', baseUrl, tokens, nodesPerCluster });
      await started;
    },
    async dropNode(clients) {
      const dropped = next('dropped');
      tell({ type: 'dropNode', clients });
      await dropped;
    },
    async stats() {
      const stats = next('stats');
      tell({ type: 'stats' });
      const { type: _type, ...rest } = await stats;
      return rest;
    },
    stop() {
      child.kill();
    },
  };
}

if (process.argv.includes('--fleet')) runFleet();
