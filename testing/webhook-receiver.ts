/**
 * A webhook receiver on loopback for the alerting tests: a real node:http server that
 * records every request (method, path, headers, parsed JSON body) and answers as told:
 * 200 by default, `failNext(n, status)` answers `status` n times first, `hangNext(n)`
 * never answers (timeouts), `redirectNext(n)` answers 302.
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  raw: string;
}

type Answer = { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'redirect' };

export interface WebhookReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43121`; post to any path under it. */
  url: string;
  readonly requests: ReceivedRequest[];
  failNext(times: number, status?: number): void;
  hangNext(times: number): void;
  redirectNext(times: number): void;
  /** Resolves with the first request matching `predicate` (already received or still to come). */
  waitFor(predicate: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const queued: Answer[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, raw });
      for (const wake of waiters) wake();
      const answer = queued.shift() ?? { kind: 'status', status: 200 };
      if (answer.kind === 'hang') {
        hanging.add(res);
        return;
      }
      if (answer.kind === 'redirect') {
        res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
        return;
      }
      // A body the sender must never copy into its log or its answers.
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(`receiver-body-${answer.status}-SECRET-ECHO`);
    });
  });
  const url = await listenOnLoopback(server);
  const queue = (times: number, answer: Answer) => {
    for (let i = 0; i < times; i++) queued.push(answer);
  };
  return {
    url,
    requests,
    failNext: (times, status = 500) => queue(times, { kind: 'status', status }),
    hangNext: (times) => queue(times, { kind: 'hang' }),
    redirectNext: (times) => queue(times, { kind: 'redirect' }),
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.find(predicate);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching webhook request within ${timeoutMs} ms (${requests.length} received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
