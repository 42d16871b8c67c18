/**
 * A tiny Prometheus HTTP API on loopback for agent tests: `/-/ready` and
 * `/api/v1/query(_range)` answered by a function you provide, in Prometheus' envelope
 * and its result shapes (the protocol's `PrometheusData`).
 */
import http from 'node:http';
import type { PrometheusData } from '@/lib/agent-protocol';
import { listenOnLoopback } from '@/testing/loopback';

/** What a query answers: Prometheus' `data`, or an error envelope with an HTTP status. */
export type FakePrometheusAnswer =
  | { data: PrometheusData }
  | { status: number; errorType: string; error: string }
  /** Sent as `data` as is, to see how the agent takes a result it cannot read. */
  | { malformedData: unknown };

/** What real Prometheus answers for a query that matches no series. */
export function emptyResult(path: string): PrometheusData {
  return path === '/api/v1/query_range' ? { resultType: 'matrix', result: [] } : { resultType: 'vector', result: [] };
}

export interface FakePrometheusOptions {
  /** Answers `/api/v1/query` and `/api/v1/query_range`; default: no series ({@link emptyResult}). */
  answer?: (path: string, params: URLSearchParams) => FakePrometheusAnswer;
  /** Delay before answering queries, to exercise deadlines. */
  delayMs?: number;
  /** Whether `/-/ready` answers 200 (else 503); default true. */
  ready?: boolean;
}

export class FakePrometheus {
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  /** Every query received: path and parameters. */
  readonly queries: Array<{ path: string; params: Record<string, string> }> = [];

  constructor(readonly options: FakePrometheusOptions = {}) {}

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/-/ready') {
        const ready = this.options.ready ?? true;
        res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' });
        res.end(ready ? 'Prometheus Server is Ready.\n' : 'Service Unavailable');
        return;
      }
      if (url.pathname !== '/api/v1/query' && url.pathname !== '/api/v1/query_range') return send(404, {});
      this.queries.push({ path: url.pathname, params: Object.fromEntries(url.searchParams.entries()) });
      const answer: FakePrometheusAnswer = this.options.answer
        ? this.options.answer(url.pathname, url.searchParams)
        : { data: emptyResult(url.pathname) };
      const reply = () => {
        if ('data' in answer) send(200, { status: 'success', data: answer.data });
        else if ('malformedData' in answer) send(200, { status: 'success', data: answer.malformedData });
        else send(answer.status, { status: 'error', errorType: answer.errorType, error: answer.error });
      };
      if (this.options.delayMs) setTimeout(reply, this.options.delayMs);
      else reply();
    });
    this.baseUrl = await listenOnLoopback(server);
    this.server = server;
    return this;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('FakePrometheus is not started');
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
