/**
 * Turns one WebSocket message from an agent into a checked frame, within the protocol's
 * per-type size limits, without holding the event loop for long:
 * - the size is checked before anything is parsed: a frame over its type's limit is
 *   refused unread (its type is read from its first bytes, see `leadingFrameType`);
 * - a snapshot, the one frame that is legitimately megabytes, is validated in slices:
 *   its envelope first, then its nodes, a batch at a time, with a turn of the event
 *   loop whenever `SLICE_MS` of work is done, so sockets and timers are served while a
 *   5,000-node snapshot is checked. Only `JSON.parse` runs in one piece, and the limit
 *   bounds it (a 2.2 MiB snapshot parses in about 15 ms).
 * Every other frame is small and is read in one go, synchronously.
 */
import { setTimeout as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import {
  agentFrame,
  clusterState,
  describeFrameError,
  FRAME_LIMITS,
  leadingFrameType,
  nodeState,
  SMALL_FRAME_BYTES,
  type AgentFrame,
  type NodeState,
} from '@/lib/agent-protocol';

/** Nodes validated at once; a slice is as many batches as fit in `SLICE_MS` (fewer while the code is cold). */
const NODES_PER_BATCH = 100;
/** Work done on a snapshot before the event loop gets a turn. */
export const SLICE_MS = 10;

export type FrameType = keyof typeof FRAME_LIMITS;

export type FrameReading =
  | { ok: true; frame: AgentFrame }
  | { ok: false; code: 'bad_frame'; message: string }
  | {
      ok: false;
      code: 'frame_too_large';
      message: string;
      /** The type the frame named, if it named a known one. */
      type: FrameType | null;
      bytes: number;
      /** A response's request id, read from its first bytes, so its caller can be told. */
      requestId: string | null;
    };

const snapshotEnvelope = z.object({
  type: z.literal('snapshot'),
  state: clusterState.extend({ nodes: z.array(z.unknown()) }),
});
const nodeBatch = z.array(nodeState);

function isFrameType(type: string | null): type is FrameType {
  return type !== null && Object.hasOwn(FRAME_LIMITS, type);
}

export function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function tooLarge(type: FrameType | null, bytes: number, head: string): FrameReading {
  const limit = isFrameType(type) ? FRAME_LIMITS[type] : SMALL_FRAME_BYTES;
  const message = isFrameType(type)
    ? `A ${type} frame of ${describeBytes(bytes)} exceeds the ${describeBytes(limit)} limit`
    : `A frame of ${describeBytes(bytes)} must name its type first, or stay under ${describeBytes(limit)}`;
  const requestId = type === 'response' ? (/"id"\s*:\s*"([^"\\]{1,64})"/.exec(head)?.[1] ?? null) : null;
  return { ok: false, code: 'frame_too_large', message, type, bytes, requestId };
}

/** Reads one text frame; a promise only for snapshots (validated in slices). */
export function readFrame(data: Buffer): FrameReading | Promise<FrameReading> {
  const startedAt = performance.now();
  const bytes = data.length;
  let declared: FrameType | null = null;
  if (bytes > SMALL_FRAME_BYTES) {
    const head = data.subarray(0, 128).toString('utf8');
    const named = leadingFrameType(head);
    declared = isFrameType(named) ? named : null;
    if (!declared || bytes > FRAME_LIMITS[declared]) return tooLarge(declared, bytes, head);
  }
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, code: 'bad_frame', message: 'The frame is not valid JSON' };
  }
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
  // A large frame's limit was chosen by the type it named first; a later "type" must not change it.
  if (declared && type !== declared) {
    return { ok: false, code: 'bad_frame', message: `The frame names its type as "${declared}" first and differently later` };
  }
  if (type === 'snapshot') return readSnapshot(json, startedAt);
  const parsed = agentFrame.safeParse(json);
  if (!parsed.success) {
    return { ok: false, code: 'bad_frame', message: `The frame does not match the protocol: ${describeFrameError(json, parsed.error)}` };
  }
  return { ok: true, frame: parsed.data };
}

async function readSnapshot(json: unknown, startedAt: number): Promise<FrameReading> {
  const envelope = snapshotEnvelope.safeParse(json);
  if (!envelope.success) {
    return { ok: false, code: 'bad_frame', message: `The frame does not match the protocol: ${describeFrameError(json, envelope.error)}` };
  }
  const raw = envelope.data.state.nodes;
  const nodes: NodeState[] = [];
  // The parse and the envelope count towards the first slice: a small snapshot is read in one.
  let sliceStarted = startedAt;
  for (let from = 0; from < raw.length; from += NODES_PER_BATCH) {
    if (performance.now() - sliceStarted >= SLICE_MS) {
      await nextTurn();
      sliceStarted = performance.now();
    }
    const slice = nodeBatch.safeParse(raw.slice(from, from + NODES_PER_BATCH));
    if (!slice.success) {
      const issue = slice.error.issues[0];
      const [index, ...rest] = issue?.path ?? [];
      const at = ['state', 'nodes', from + Number(index ?? 0), ...rest].map(String).join('.');
      return { ok: false, code: 'bad_frame', message: `The frame does not match the protocol: ${at}: ${issue?.message ?? 'invalid'}` };
    }
    for (const node of slice.data) nodes.push(node);
  }
  return { ok: true, frame: { type: 'snapshot', state: { ...envelope.data.state, nodes } } };
}
