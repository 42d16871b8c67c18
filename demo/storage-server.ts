/**
 * The demo's object storage: s3rver (an S3-compatible server from npm, checking SigV4
 * signatures against its fixed key pair) on loopback, beside the dashboard, its data
 * kept under the demo's data directory so artifacts survive a restart. Its bucket lets
 * the dashboard's origin PUT and GET: presigned uploads and downloads go straight from
 * the browser to the bucket (README, "Artifacts").
 */
import fs from 'node:fs';
import S3rver from 's3rver';

/** s3rver's documented key pair: it accepts no other. */
export const DEMO_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const DEMO_BUCKET = 'ml-artifacts';

export interface DemoStorageServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  close(): Promise<void>;
}

/** CORS for the dashboard's own origins only: the browser PUTs uploads and GETs downloads. */
function corsFor(origins: readonly string[]): string {
  return `<CORSConfiguration>
  <CORSRule>
${origins.map((origin) => `    <AllowedOrigin>${origin}</AllowedOrigin>`).join('\n')}
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
}

export async function startDemoStorage(options: { port: number; directory: string; dashboardOrigins: readonly string[] }): Promise<DemoStorageServer> {
  fs.mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    configureBuckets: [{ name: DEMO_BUCKET, configs: [corsFor(options.dashboardOrigins)] }],
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
