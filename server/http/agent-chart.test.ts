/**
 * Issue 9, finding 19: the control plane serves the agent chart as a helm repository,
 * and what that chart installs is exactly what the rendered manifests install.
 *
 * The chart is fetched over HTTP as helm would (index.yaml, then the archive it names,
 * digest checked), unpacked, and its templates rendered with the values the attach
 * page's helm command sets, by a strict renderer that fails on any construct it does not
 * know (testing/strict-helm-render.ts). Both sides are parsed and compared object by object.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { AGENT_VERSION } from '@/lib/agent-version';
import { AGENT_CHART_ARCHIVE } from '@/lib/install/chart';
import { renderAgentManifests, renderInstallCommands } from '@/lib/install/manifests';
import { listenOnLoopback } from '@/testing/loopback';
import { helmSetValues, renderStrict, shellWords } from '@/testing/strict-helm-render';
import { handleAgentChartRequest } from './agent-chart';

interface IndexFile {
  apiVersion: string;
  entries: Record<string, Array<{ name: string; version: string; appVersion: string; digest: string; urls: string[] }>>;
}

/** Files of a ustar archive (regular files only), read independently of the writer. */
function untar(archive: Buffer): Map<string, string> {
  const tar = gunzipSync(archive);
  const files = new Map<string, string>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    const stored = Number.parseInt(header.subarray(148, 156).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
    expect(sum, `checksum of ${name}`).toBe(stored);
    expect(header.subarray(257, 263).toString('ascii')).toBe('ustar\0');
    files.set(name, tar.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function yamlDocs(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

describe('the served agent chart', () => {
  let server: http.Server;
  let repo: string;
  let index: IndexFile;
  let archive: Buffer;
  let chartFiles: Map<string, string>;

  beforeAll(async () => {
    server = http.createServer(handleAgentChartRequest);
    repo = `${await listenOnLoopback(server)}/charts`;
    const indexResponse = await fetch(`${repo}/index.yaml`);
    expect(indexResponse.status).toBe(200);
    index = parse(await indexResponse.text()) as IndexFile;
    const entry = index.entries['fleetdeck-agent']?.[0];
    // As helm does: the archive URL is resolved against the repository URL.
    const archiveResponse = await fetch(new URL(entry?.urls[0] ?? '', `${repo}/`));
    expect(archiveResponse.status).toBe(200);
    expect(archiveResponse.headers.get('content-type')).toBe('application/gzip');
    archive = Buffer.from(await archiveResponse.arrayBuffer());
    chartFiles = untar(archive);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is a helm repository whose index names the agent version and the archive digest, no session needed', () => {
    expect(index.apiVersion).toBe('v1');
    expect(index.entries['fleetdeck-agent']).toEqual([
      expect.objectContaining({
        name: 'fleetdeck-agent',
        version: AGENT_VERSION,
        appVersion: AGENT_VERSION,
        urls: [AGENT_CHART_ARCHIVE],
        digest: createHash('sha256').update(archive).digest('hex'),
      }),
    ]);
    expect(AGENT_CHART_ARCHIVE).toBe(`fleetdeck-agent-${AGENT_VERSION}.tgz`);
  });

  it('packs the chart the way helm package lays it out, readable by tar', () => {
    expect([...chartFiles.keys()].sort()).toEqual([
      'fleetdeck-agent/Chart.yaml',
      'fleetdeck-agent/templates/agent.yaml',
      'fleetdeck-agent/values.yaml',
    ]);
    expect(parse(chartFiles.get('fleetdeck-agent/Chart.yaml') ?? '')).toMatchObject({
      apiVersion: 'v2',
      name: 'fleetdeck-agent',
      version: AGENT_VERSION,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-chart-'));
    try {
      fs.writeFileSync(path.join(dir, AGENT_CHART_ARCHIVE), archive);
      const listed = execFileSync('tar', ['-tzf', path.join(dir, AGENT_CHART_ARCHIVE)], { encoding: 'utf8' });
      expect(listed.trim().split('\n').sort()).toEqual([...chartFiles.keys()].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for other paths and 405 for writes', async () => {
    expect((await fetch(`${repo}/fleetdeck-agent-9.9.9.tgz`)).status).toBe(404);
    expect((await fetch(`${repo}/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${repo}/index.yaml`, { method: 'POST' })).status).toBe(405);
  });

  it.each([
    { clusterName: 'gpu-west', tenantName: 'Acme Research', controlPlaneUrl: 'https://fleetdeck.example.com' },
    { clusterName: 'a1b', tenantName: `O'Brien, Inc "quoted" \\ back`, controlPlaneUrl: 'https://fd.example.com:8443/fleet' },
    { clusterName: 'z'.repeat(35), tenantName: 'Zürich · GPU 研究', controlPlaneUrl: 'http://10.0.0.5:3000' },
  ])('installs the same objects as the rendered manifests: %o', (target) => {
    const options = { ...target, tokenSecretName: 'fleetdeck-agent-token' };
    // The values are the ones the attach page's helm command sets, parsed from it as a shell and helm would.
    const words = shellWords(renderInstallCommands(options).helm);
    const releaseNamespace = words[words.indexOf('--namespace') + 1] ?? '';
    const defaults = parse(chartFiles.get('fleetdeck-agent/values.yaml') ?? '') as Record<string, unknown>;
    const values = { ...defaults, ...helmSetValues(words) };
    const fromChart = yamlDocs(renderStrict(chartFiles.get('fleetdeck-agent/templates/agent.yaml') ?? '', { values, releaseNamespace }));

    const manifests = yamlDocs(renderAgentManifests(options)) as Array<{ kind: string; metadata: { name: string } }>;
    // The Namespace is created before the chart (the Secret lives there): the chart leaves it out.
    expect(manifests[0]).toMatchObject({ kind: 'Namespace', metadata: { name: releaseNamespace } });
    expect(fromChart).toEqual(manifests.slice(1));
  });

  it('refuses to render without the values helm requires, and the renderer refuses constructs it does not know', () => {
    const template = chartFiles.get('fleetdeck-agent/templates/agent.yaml') ?? '';
    const defaults = parse(chartFiles.get('fleetdeck-agent/values.yaml') ?? '') as Record<string, unknown>;
    expect(() => renderStrict(template, { values: defaults, releaseNamespace: 'x' })).toThrow(/is required/);
    expect(() => renderStrict('{{ toYaml .Values.x }}', { values: {}, releaseNamespace: 'x' })).toThrow(/does not know/);
  });
});
