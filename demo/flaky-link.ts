/**
 * A network link that drops: a TCP relay on loopback between one demo agent and the
 * control plane, whose `cut()` destroys every connection through it at once, as a NAT
 * timeout or a flapping route would. The agent sees its socket die and redials with its
 * own backoff; the gateway sees the connection lost without a close frame. Nothing in
 * the agent or the gateway knows it is a demo.
 */
import net from 'node:net';

type SocketPair = { inbound: net.Socket; outbound: net.Socket };

export class FlakyLink {
  private constructor(
    private readonly server: net.Server,
    private readonly pairs: Set<SocketPair>,
    /** The relay's own URL: give it to the agent instead of the control plane's. */
    readonly url: string,
  ) {}

  /** Relays to `targetUrl` (http://host:port). */
  static async open(targetUrl: string): Promise<FlakyLink> {
    const target = new URL(targetUrl);
    const port = Number(target.port || 80);
    const pairs = new Set<SocketPair>();
    const server = net.createServer((inbound) => {
      const outbound = net.connect({ host: target.hostname, port });
      const pair = { inbound, outbound };
      pairs.add(pair);
      const close = () => {
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', close).on('close', close);
      outbound.on('error', close).on('close', close);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('flaky link: no TCP address');
    return new FlakyLink(server, pairs, `http://127.0.0.1:${address.port}`);
  }

  /** Drops every connection through the link; returns how many there were. */
  cut(): number {
    const count = this.pairs.size;
    for (const { inbound, outbound } of [...this.pairs]) {
      inbound.destroy();
      outbound.destroy();
    }
    this.pairs.clear();
    return count;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
