/**
 * Azure Blob on loopback for tests: Microsoft's emulator (azurite 3.35, the last that
 * runs on Node 20) as a child process on a free port, with the documented development
 * account, a container, and CORS open for browser PUT and GET.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { waitFor } from './wait-for';

/** The emulator's documented development account and key (public, in Microsoft's docs). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  /** `http://127.0.0.1:PORT/devstoreaccount1` */
  blobEndpoint: string;
  /** A connection string for the development account at this endpoint. */
  connectionString: string;
  /** The container made at start. */
  container: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function azuriteConnectionString(blobEndpoint: string, accountKey = AZURITE_ACCOUNT_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${accountKey};BlobEndpoint=${blobEndpoint};`;
}

/** Starts azurite-blob on 127.0.0.1 in a temporary directory, with `container` made; close kills it and removes the directory. */
export async function startAzurite(options: { container?: string } = {}): Promise<AzuriteServer> {
  const container = options.container ?? 'ml-artifacts';
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-azurite-'));
  const port = await freePort();
  const bin = path.resolve('node_modules/.bin/azurite-blob');
  const child = spawn(
    bin,
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const connectionString = azuriteConnectionString(blobEndpoint);
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(location, { recursive: true, force: true });
  };
  try {
    const service = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1, tryTimeoutInMs: 2_000 } });
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`azurite exited: ${stderr}`);
        await service.getProperties();
        return true;
      },
      30_000,
      'azurite did not answer',
    );
    await service.setProperties({
      cors: [{ allowedOrigins: '*', allowedMethods: 'GET,PUT,HEAD', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3000 }],
    });
    await service.getContainerClient(container).createIfNotExists();
  } catch (error) {
    await close();
    throw error;
  }
  return { blobEndpoint, connectionString, container, close };
}
