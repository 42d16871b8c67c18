/**
 * Live sessions' tokens are re-checked against the store every few seconds. On
 * PostgreSQL that lookup waits on the network, and sessions open meanwhile: the re-check
 * must judge only the sessions it asked about. (It once closed every session opened
 * during the lookup as revoked: the 2,000-agent storm on PostgreSQL lost a dozen.)
 */
import { afterEach, expect, it } from 'vitest';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import type { Store } from '@/server/store';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { ProtocolClient } from '@/testing/protocol-client';
import { openTestStore } from '@/testing/test-store';

/** The store with every read outside a transaction answered `delayMs` late, as a remote database would. */
function withLateReads(store: Store, delayMs: number): Store {
  const late = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        if (property === 'then') {
          return (resolve: (v: unknown) => void, reject: (e: unknown) => void) =>
            setTimeout(() => Reflect.apply(value, object, [resolve, reject]), delayMs);
        }
        return (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, object, args);
          return typeof result === 'object' && result !== null ? late(result) : result;
        };
      },
    });
  return { ...store, db: late(store.db) };
}

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.kill();
  await h.close();
});

it('a session opened while tokens are being re-checked is not taken for revoked', async () => {
  h = await startGateway({ store: withLateReads(await openTestStore(), 150), tokenRecheckMs: 40 });
  const closes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const { token } = await insertCluster(h.store);
    const client = await ProtocolClient.connect(h.baseUrl, token);
    clients.push(client);
    void client.closed.then(({ code }) => void closes.push(code));
    // A session wrongly closed as revoked never says welcome: the assertions below say why.
    await client.hello({}, 2_000).catch(() => undefined);
  }
  // Several re-checks, each slower than the interval, with sessions opening throughout.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(closes).not.toContain(CLOSE_CODES.revoked);
  expect(closes).toEqual([]);
  expect(h.gateway.connectedClusterCount()).toBe(6);
});
