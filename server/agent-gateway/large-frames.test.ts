/**
 * Issue 8, finding 11: one 11 MB snapshot held the event loop for 1.2 s. Frames are
 * bounded per type, an oversized snapshot is refused unread, and a legal large one is
 * validated in slices and stored in slices, so the loop keeps turning.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES, FRAME_LIMITS, type ControlPlaneFrame } from '@/lib/agent-protocol';
import { insertCluster, probeEventLoop, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { largeClusterState, ProtocolClient, realisticNode } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';

type ErrorFrame = Extract<ControlPlaneFrame, { type: 'error' }>;
const isError = (f: ControlPlaneFrame): f is ErrorFrame => f.type === 'error';

/** The longest the event loop may be held while a legal 5,000-node snapshot is read and stored. */
const MAX_STALL_MS = 150;

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

beforeEach(async () => {
  h = await startGateway();
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.kill();
  await h.close();
});

async function helloedClient(): Promise<{ clusterId: number; client: ProtocolClient }> {
  const { clusterId, token } = await insertCluster(h.store);
  const client = await ProtocolClient.connect(h.baseUrl, token);
  clients.push(client);
  await client.hello();
  return { clusterId, client };
}

async function nodeCountOf(clusterId: number): Promise<number | null | undefined> {
  const { clusters } = h.store.tables;
  const [row] = await h.store.db.select({ nodeCount: clusters.nodeCount }).from(clusters).where(eq(clusters.id, clusterId));
  return row?.nodeCount;
}

describe('a legal large snapshot', () => {
  // 5,000 nodes is a large cluster (2.2 MiB); 15,000 (6.6 MiB) is near the limit.
  it.each([5_000, 15_000])('of %i nodes is read and stored without holding the event loop for long', async (nodeCount) => {
    const { clusterId, client } = await helloedClient();
    // Serialised before measuring: the test's own JSON.stringify is not the gateway's time.
    const full = JSON.stringify({ type: 'snapshot', state: largeClusterState(nodeCount) });
    const lessOne = JSON.stringify({ type: 'snapshot', state: largeClusterState(nodeCount - 1) });
    expect(full.length).toBeLessThan(FRAME_LIMITS.snapshot);

    // Best of three: a neighbour on a shared machine (the other test worker) can steal a
    // core for a moment, but cannot make the gateway's own slices short three times over.
    const stalls: number[] = [];
    for (const [text, nodes] of [[full, nodeCount], [lessOne, nodeCount - 1], [full, nodeCount]] as const) {
      // The test's client shares this process; its send (masking megabytes) is not the gateway's time either.
      client.sendRaw(text);
      const probe = probeEventLoop();
      await waitFor(async () => (await nodeCountOf(clusterId)) === nodes, 15_000, 'snapshot stored');
      const stallMs = probe.stop();
      stalls.push(stallMs);
      if (stallMs < MAX_STALL_MS) break;
    }
    console.warn(
      `${nodeCount}-node snapshot (${(full.length / 1024 / 1024).toFixed(2)} MiB): longest event-loop stall ${stalls.map((ms) => ms.toFixed(1)).join(' / ')} ms`,
    );
    expect(Math.min(...stalls)).toBeLessThan(MAX_STALL_MS);
    expect(client.frames.filter(isError)).toEqual([]);
  });

  it('names the node that is wrong, even deep in the list', async () => {
    const { client } = await helloedClient();
    const state = largeClusterState(1_200);
    const bad = { ...realisticNode(1_100), gpuCount: -1 };
    client.sendRaw(JSON.stringify({ type: 'snapshot', state: { ...state, nodes: [...state.nodes.slice(0, 1_100), bad] } }));
    const error = await client.nextFrame(isError);
    expect(error).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('state.nodes.1100.gpuCount') });
  });
});

describe('an oversized snapshot', () => {
  it('is refused unread: an error frame, then close code 1009, and the cluster keeps its state', async () => {
    const { clusterId, client } = await helloedClient();
    client.snapshot(largeClusterState(3));
    await waitFor(async () => (await nodeCountOf(clusterId)) === 3, 5_000, 'first snapshot stored');

    const state = largeClusterState(20_000);
    const text = JSON.stringify({ type: 'snapshot', state });
    expect(text.length).toBeGreaterThan(FRAME_LIMITS.snapshot);
    const parse = vi.spyOn(JSON, 'parse');
    client.sendRaw(text);

    const error = await client.nextFrame(isError);
    expect(error).toMatchObject({ code: 'frame_too_large', message: expect.stringContaining('snapshot') });
    expect((await client.closed).code).toBe(CLOSE_CODES.messageTooBig);
    const parsedLengths = parse.mock.calls.map(([input]) => String(input).length);
    expect(Math.max(0, ...parsedLengths)).toBeLessThan(FRAME_LIMITS.snapshot);
    await h.gateway.flush();
    expect(await nodeCountOf(clusterId)).toBe(3);
  });
});
