import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, isSecure, requestFacts, requestOrigin } from './request-facts';

function request(headers: IncomingMessage['headers'], peer = '10.0.0.2', encrypted = false): IncomingMessage {
  return { headers, socket: { remoteAddress: peer, encrypted } } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it.each([
    // [hops, X-Forwarded-For, expected]
    [0, '6.6.6.6', '10.0.0.2'],
    [0, undefined, '10.0.0.2'],
    [1, undefined, '10.0.0.2'],
    // One proxy appended the address it saw: the client is the last entry, whatever the client wrote before it.
    [1, '203.0.113.7', '203.0.113.7'],
    [1, '6.6.6.6, 203.0.113.7', '203.0.113.7'],
    [1, '1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.7', '203.0.113.7'],
    [1, '6.6.6.6,203.0.113.7', '203.0.113.7'],
    // Two proxies: the outer one's entry is second from the right; the inner one added the outer's address.
    [2, '6.6.6.6, 203.0.113.7, 10.1.1.1', '203.0.113.7'],
    [2, '203.0.113.7, 10.1.1.1', '203.0.113.7'],
  ])('with %i trusted proxies and X-Forwarded-For %j, the client is %j', (hops, forwarded, expected) => {
    const headers = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded };
    expect(clientAddress(request(headers), { trustProxyHops: hops })).toBe(expected);
  });

  it('reads repeated X-Forwarded-For headers as one list', () => {
    const headers = { 'x-forwarded-for': ['6.6.6.6', '203.0.113.7'] } as unknown as IncomingMessage['headers'];
    expect(clientAddress(request(headers), { trustProxyHops: 1 })).toBe('203.0.113.7');
  });
});

describe('isSecure', () => {
  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(isSecure(request({ 'x-forwarded-proto': 'https' }), { trustProxyHops: 0 })).toBe(false);
    expect(isSecure(request({ 'x-forwarded-proto': 'https' }), { trustProxyHops: 1 })).toBe(true);
    expect(isSecure(request({ 'x-forwarded-proto': 'http' }), { trustProxyHops: 1 })).toBe(false);
    expect(isSecure(request({}), { trustProxyHops: 1 })).toBe(false);
  });

  it('takes the protocol the outermost trusted proxy saw, not one the client wrote before it', () => {
    expect(isSecure(request({ 'x-forwarded-proto': 'https, http' }), { trustProxyHops: 1 })).toBe(false);
    expect(isSecure(request({ 'x-forwarded-proto': 'https, http' }), { trustProxyHops: 2 })).toBe(true);
    expect(isSecure(request({ 'x-forwarded-proto': 'https, http, http' }), { trustProxyHops: 2 })).toBe(false);
  });

  it('is secure when the socket itself is TLS', () => {
    expect(isSecure(request({}, '10.0.0.2', true), { trustProxyHops: 0 })).toBe(true);
  });
});

describe('requestOrigin', () => {
  it('comes from Host alone: X-Forwarded-Host never changes where agents dial', () => {
    const req = request({ host: 'fleetdeck.internal:3000', 'x-forwarded-host': 'evil.example' });
    expect(requestOrigin(req, false)).toBe('http://fleetdeck.internal:3000');
    expect(requestFacts(req, { trustProxyHops: 1 }).origin).toBe('http://fleetdeck.internal:3000');
  });

  it.each(['evil.example/path', 'a b', 'evil.example@x', '', 'host:99999999'])('refuses the odd Host %j', (host) => {
    expect(requestOrigin(request({ host }), false)).toBeNull();
  });
});
