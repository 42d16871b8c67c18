/**
 * One POST of a notification. What we record of it is in our own words: an HTTP status,
 * "timed out after 5 s", "connection refused". The receiver's response body is never
 * read (it may echo the URL, hold a token, or be large), redirects are not followed (a
 * redirect could carry the request somewhere its admin never configured), and error
 * messages from Node are not passed on (they can name the URL).
 */
import http from 'node:http';
import https from 'node:https';

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface PostOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EPIPE: 'connection closed by the receiver',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  HPE_INVALID_CONSTANT: 'the receiver did not answer in HTTP',
};

function describeNetworkError(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return `TLS handshake failed (${code})`;
  return code && /^[A-Z0-9_]{2,40}$/.test(code) ? `request failed (${code})` : 'request failed';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function postJson(url: string, body: string, options: PostOptions): Promise<PostOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'the channel URL is not valid' });
  }
  const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
  if (!transport) return Promise.resolve({ ok: false, status: null, error: 'the channel URL must be http or https' });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = transport.request(target, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'Fleetdeck-Alerts/1',
        ...options.headers,
      },
    });
    // One deadline for the whole exchange up to the status line: connect, TLS, send, wait.
    const timer = setTimeout(() => {
      settle({ ok: false, status: null, error: `timed out after ${seconds(options.timeoutMs)}` });
      request.destroy();
    }, options.timeoutMs);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      // The body is never read: drained and dropped, and the socket closed.
      response.on('error', () => undefined);
      response.resume();
      response.destroy();
      if (status >= 200 && status < 300) settle({ ok: true, status });
      else if (status >= 300 && status < 400) settle({ ok: false, status, error: `HTTP ${status}: redirect not followed` });
      else settle({ ok: false, status, error: `HTTP ${status}` });
    });
    request.on('error', (error) => settle({ ok: false, status: null, error: describeNetworkError(error) }));
    request.end(body);
  });
}
