/**
 * SigV4 verification in front of s3rver. s3rver 3 checks that a V4 request's access
 * key ID exists but never recomputes the signature ("Signature version 4 calculation is
 * unimplemented", lib/middleware/authentication.js), so a wrong secret would pass. This
 * recomputes the signature of header-signed and presigned (query) requests with the
 * known secret and answers SignatureDoesNotMatch (403) like S3 does when it differs, and
 * AccessDenied when a presigned URL has expired.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SignatureProblem {
  code: 'SignatureDoesNotMatch' | 'AccessDenied' | 'AuthorizationHeaderMalformed';
  message: string;
}

/** RFC 3986 encoding, as SigV4's canonical query wants it. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function queryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    return [decodeURIComponent(key.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' '))];
  });
}

function signature(secret: string, parts: { method: string; path: string; query: [string, string][]; headers: string[]; signedHeaders: string; payloadHash: string; amzDate: string; scope: string }): string {
  const canonicalQuery = parts.query
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [parts.method, parts.path, canonicalQuery, parts.headers.join(''), parts.signedHeaders, parts.payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', parts.amzDate, parts.scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const [date, region, service] = parts.scope.split('/');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date ?? ''), region ?? ''), service ?? ''), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

function canonicalHeaders(req: IncomingMessage, signedHeaders: string): string[] {
  return signedHeaders.split(';').map((name) => {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
}

/** `X-Amz-Date` (20261123T184857Z) as a time. */
function amzTime(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
}

const MISMATCH: SignatureProblem = {
  code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
};

/** Null when `req` is unsigned (s3rver decides) or correctly signed with `secret`; otherwise what S3 would answer. */
export function sigV4Problem(req: IncomingMessage, secret: string, now = Date.now()): SignatureProblem | null {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = queryPairs(q === -1 ? '' : url.slice(q + 1));
  const method = req.method ?? 'GET';
  const auth = req.headers.authorization;
  if (auth?.startsWith('AWS4-HMAC-SHA256 ')) {
    const fields = new Map(
      auth
        .slice('AWS4-HMAC-SHA256 '.length)
        .split(',')
        .map((part) => part.trim().split('=') as [string, string]),
    );
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const provided = fields.get('Signature');
    const amzDate = req.headers['x-amz-date'];
    if (!credential || !signedHeaders || !provided || typeof amzDate !== 'string') {
      return { code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed' };
    }
    const scope = credential.split('/').slice(1).join('/');
    const payloadHash = typeof req.headers['x-amz-content-sha256'] === 'string' ? req.headers['x-amz-content-sha256'] : 'UNSIGNED-PAYLOAD';
    const expected = signature(secret, { method, path, query, headers: canonicalHeaders(req, signedHeaders), signedHeaders, payloadHash, amzDate, scope });
    return expected === provided ? null : MISMATCH;
  }
  const params = new Map(query);
  const provided = params.get('X-Amz-Signature');
  if (params.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && provided) {
    const credential = params.get('X-Amz-Credential') ?? '';
    const signedHeaders = params.get('X-Amz-SignedHeaders') ?? 'host';
    const amzDate = params.get('X-Amz-Date') ?? '';
    const expires = Number(params.get('X-Amz-Expires') ?? '0');
    const scope = credential.split('/').slice(1).join('/');
    const expected = signature(secret, {
      method,
      path,
      query: query.filter(([k]) => k !== 'X-Amz-Signature'),
      headers: canonicalHeaders(req, signedHeaders),
      signedHeaders,
      payloadHash: 'UNSIGNED-PAYLOAD',
      amzDate,
      scope,
    });
    if (expected !== provided) return MISMATCH;
    if (amzTime(amzDate) + expires * 1000 < now) return { code: 'AccessDenied', message: 'Request has expired' };
  }
  return null;
}
