/**
 * The e2e S3-compatible server: s3rver (SigV4 checked in front of it) on E2E_S3_PORT
 * with the bucket `ml-artifacts`, CORS open so the browser can PUT and GET presigned URLs.
 * Started by playwright.config.ts; stops on SIGTERM.
 */
import { startS3rver } from '@/testing/s3rver';
import { E2E_S3_PORT } from './env';

const server = await startS3rver({ port: Number(process.env.E2E_S3_PORT ?? E2E_S3_PORT), buckets: ['ml-artifacts'] });
process.stdout.write(`s3rver listening on ${server.endpoint}\n`);
const stop = () => void server.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
