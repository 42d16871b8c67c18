/**
 * The agent's helm chart, served by the control plane as a helm repository so that
 * `helm upgrade --install fleetdeck-agent fleetdeck-agent --repo <public URL>/charts
 * --version <agent version>` works from any machine that can reach it:
 *
 *   GET /charts/index.yaml                      the repository index
 *   GET /charts/fleetdeck-agent-<version>.tgz   the packaged chart
 *
 * Unauthenticated on purpose: the chart holds no secret (the token lives in a Secret the
 * admin creates from stdin; values carry only URLs and names), and helm on a cluster
 * admin's machine has no Fleetdeck session. The archive is packaged in memory, once,
 * from `lib/install/chart.ts`, with fixed timestamps so its digest is stable.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { AGENT_VERSION } from '@/lib/agent-version';
import {
  AGENT_CHART_ARCHIVE,
  AGENT_CHART_DESCRIPTION,
  AGENT_CHART_NAME,
  AGENT_CHART_VERSION,
  agentChartFiles,
  type ChartFile,
} from '@/lib/install/chart';
import { AGENT_CHART_REPO_PATH } from '@/lib/install/manifests';

export const AGENT_CHART_PREFIX = `${AGENT_CHART_REPO_PATH}/`;

/** 2026-01-01T00:00:00Z: every build of the archive is byte-identical. */
const FIXED_MTIME = Date.UTC(2026, 0, 1) / 1000;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One POSIX ustar header block (512 bytes) for a regular file. */
function ustarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 8, 'ascii'); // mode
  header.write(octal(0, 8), 108, 8, 'ascii'); // uid
  header.write(octal(0, 8), 116, 8, 'ascii'); // gid
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(FIXED_MTIME, 12), 136, 12, 'ascii');
  header.fill(' ', 148, 156); // checksum counts as spaces while it is computed
  header.write('0', 156, 1, 'ascii'); // regular file
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** A gzipped ustar archive of `files` under `root/`, as `helm package` lays a chart out. */
export function tarGz(root: string, files: readonly ChartFile[]): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const body = Buffer.from(file.content, 'utf8');
    blocks.push(ustarHeader(`${root}/${file.path}`, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512, 0));
  }
  blocks.push(Buffer.alloc(1024, 0)); // two empty blocks end the archive
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

export interface PackagedChart {
  archive: Buffer;
  digest: string;
  index: string;
}

let packaged: PackagedChart | undefined;

/** The archive and the repository index, built on first use. */
export function packagedAgentChart(): PackagedChart {
  if (packaged) return packaged;
  const archive = tarGz(AGENT_CHART_NAME, agentChartFiles());
  const digest = createHash('sha256').update(archive).digest('hex');
  const index = stringify({
    apiVersion: 'v1',
    entries: {
      [AGENT_CHART_NAME]: [
        {
          apiVersion: 'v2',
          name: AGENT_CHART_NAME,
          version: AGENT_CHART_VERSION,
          appVersion: AGENT_VERSION,
          description: AGENT_CHART_DESCRIPTION,
          type: 'application',
          created: new Date(FIXED_MTIME * 1000).toISOString(),
          digest,
          // Relative: helm resolves it against the repository URL it was given, so the
          // index is right behind any proxy or public URL.
          urls: [AGENT_CHART_ARCHIVE],
        },
      ],
    },
    generated: new Date(FIXED_MTIME * 1000).toISOString(),
  });
  packaged = { archive, digest, index };
  return packaged;
}

/** Answers a request under `/charts/`; anything else there is 404, anything but GET/HEAD 405. */
export function handleAgentChartRequest(req: IncomingMessage, res: ServerResponse): void {
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed');
    return;
  }
  const chart = packagedAgentChart();
  const served =
    pathname === `${AGENT_CHART_PREFIX}index.yaml`
      ? { body: Buffer.from(chart.index, 'utf8'), type: 'application/x-yaml; charset=utf-8' }
      : pathname === `${AGENT_CHART_PREFIX}${AGENT_CHART_ARCHIVE}`
        ? { body: chart.archive, type: 'application/gzip' }
        : null;
  if (!served) {
    res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Not Found');
    return;
  }
  res.writeHead(200, {
    'content-type': served.type,
    'content-length': served.body.length,
    // The index changes with a new control plane version; the archive never does for its version.
    'cache-control': pathname.endsWith('.tgz') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : served.body);
}
