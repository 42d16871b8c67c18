import type { AddressInfo, Server } from 'node:net';

/**
 * Starts `server` on 127.0.0.1 (a random free port unless one is given) and resolves
 * with its base URL. Every test double, fixture and benchmark listens this way: loopback
 * only, never another address.
 */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
