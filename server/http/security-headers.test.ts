import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '@/testing/loopback';
import { isSecure } from './request-facts';
import { applyPageHeaders, pageSecurityPolicy, transportHeaders } from './security-headers';

/** The nonce the way Next 16 reads it: the first 'nonce-…' source of script-src (or default-src). */
function nonceOf(policy: string | undefined): string | undefined {
  const directive = policy?.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
  return directive?.split(/\s+/).map((source) => /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/.exec(source)?.[1]).find(Boolean);
}

describe('pageSecurityPolicy', () => {
  it('lets scripts run only with the nonce, and forbids framing, plugins and foreign forms', () => {
    const policy = pageSecurityPolicy('abc123==', { dev: false, secure: false });
    expect(policy).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toContain('upgrade-insecure-requests');
  });

  it("allows eval only for Next's dev build, and upgrades subresources only over HTTPS", () => {
    expect(pageSecurityPolicy('n', { dev: true, secure: false })).toMatch(/script-src [^;]*'unsafe-eval'/);
    expect(pageSecurityPolicy('n', { dev: false, secure: true })).toContain('upgrade-insecure-requests');
  });

  it('lets page scripts reach only our origin, and the storage origins it is given (presigned uploads)', () => {
    expect(pageSecurityPolicy('n', { dev: false, secure: false })).toContain("connect-src 'self';");
    expect(pageSecurityPolicy('n', { dev: false, secure: false, connectSources: ['http://127.0.0.1:9000', 'https://*.amazonaws.com'] })).toContain(
      "connect-src 'self' http://127.0.0.1:9000 https://*.amazonaws.com;",
    );
  });
});

describe('transportHeaders', () => {
  it('sends HSTS only over HTTPS', () => {
    expect(transportHeaders(true)).toEqual({ 'strict-transport-security': 'max-age=63072000' });
    expect(transportHeaders(false)).toEqual({});
  });
});

describe('applyPageHeaders on a page request', () => {
  let url: string;
  let close: () => Promise<void>;
  /** What the stand-in for Next saw on the request. */
  const seen: { policy?: string; reportOnly?: string }[] = [];

  beforeAll(async () => {
    const server = createServer((req: IncomingMessage, res) => {
      applyPageHeaders(req, res, { dev: false, secure: isSecure(req, { trustProxyHops: 1 }) });
      seen.push({ policy: req.headers['content-security-policy'] as string | undefined, reportOnly: req.headers['content-security-policy-report-only'] as string | undefined });
      res.end('<html></html>');
    });
    url = await listenOnLoopback(server);
    close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  });
  afterAll(() => close());

  const get = (headers: Record<string, string> = {}) =>
    new Promise<IncomingHttpHeaders>((resolve, reject) => {
      httpRequest(`${url}/clusters`, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      })
        .on('error', reject)
        .end();
    });

  it('gives Next the same policy the browser gets, with a fresh nonce per request', async () => {
    const first = await get();
    const second = await get();
    const firstNonce = nonceOf(first['content-security-policy'] as string);
    expect(firstNonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(second['content-security-policy'] as string)).not.toBe(firstNonce);
    expect(seen.at(-2)?.policy).toBe(first['content-security-policy']);
  });

  it("replaces a policy the client sent, so a client cannot choose the nonce Next uses", async () => {
    const headers = await get({ 'content-security-policy': "script-src 'nonce-chosen'", 'content-security-policy-report-only': "script-src 'nonce-chosen'" });
    expect(seen.at(-1)?.policy).toBe(headers['content-security-policy']);
    expect(seen.at(-1)?.policy).not.toContain('chosen');
    expect(seen.at(-1)?.reportOnly).toBeUndefined();
  });

  it('sends HSTS on pages only when the request is HTTPS', async () => {
    expect((await get({ 'x-forwarded-proto': 'https' }))['strict-transport-security']).toBe('max-age=63072000');
    expect((await get())['strict-transport-security']).toBeUndefined();
  });
});
