/**
 * An S3 server on loopback for tests and e2e: s3rver 3 (checks SigV4 signatures against
 * its fixed key pair), with buckets made at start and CORS open for browser PUT and GET
 * (presigned uploads and downloads come straight from the page). s3rver itself does not
 * verify V4 signatures, so requests pass `sigV4Problem` first: a wrong secret is refused
 * with SignatureDoesNotMatch, as S3 refuses it.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { listenOnLoopback } from './loopback';
import { sigV4Problem } from './sigv4-check';

export interface S3Server {
  /** `http://127.0.0.1:PORT`: the S3-compatible endpoint (path-style). */
  endpoint: string;
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  close(): Promise<void>;
}

const SECRET = 'S3RVER';

/** CORS for the browser: any origin may GET, PUT and HEAD with any header, and read ETag. */
export const OPEN_CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** Starts s3rver on 127.0.0.1 (a free port unless `port` is given) with `buckets`, in a temporary directory removed on close. */
export async function startS3rver(options: { buckets?: string[]; port?: number } = {}): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-s3rver-'));
  const s3rver = new S3rver({
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? ['ml-artifacts']).map((name) => ({ name, configs: [OPEN_CORS_XML] })),
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const server = http.createServer((req, res) => {
    // A browser's CORS preflight carries no signature of its own (S3 answers it from the
    // bucket's CORS rules alone); checking it would refuse every presigned upload from a page.
    const problem = req.method === 'OPTIONS' ? null : sigV4Problem(req, SECRET);
    if (!problem) {
      handle(req, res);
      return;
    }
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml', 'access-control-allow-origin': '*' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${problem.code}</Code><Message>${problem.message}</Message></Error>`);
  });
  const endpoint = await listenOnLoopback(server, options.port ?? 0);
  return {
    endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: SECRET,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
