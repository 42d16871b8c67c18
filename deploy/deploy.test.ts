/**
 * The control plane's image and chart, checked without docker or helm (neither exists
 * here): the final stage copies every source file server.ts loads at run time, every
 * package those files import is a production dependency, and the chart's templates read
 * only values its values.yaml declares.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHART = path.join(ROOT, 'deploy', 'chart', 'fleetdeck');
const dockerfile = fs.readFileSync(path.join(ROOT, 'deploy', 'control-plane.Dockerfile'), 'utf8');
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

function resolveSource(from: string, specifier: string): string | null {
  const base = specifier.startsWith('@/') ? path.join(ROOT, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Every source file reachable from `entry` through value imports, and the packages they import. */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = fs.readFileSync(file, 'utf8');
    // Type-only imports are erased by tsx; every other form loads the module.
    const specifiers = [...text.matchAll(/^(?!import type )(?:import|export)\s[^;]*?from\s+'([^']+)'|import\('([^']+)'\)|^import '([^']+)'/gms)].map(
      (m) => m[1] ?? m[2] ?? m[3] ?? '',
    );
    for (const specifier of specifiers) {
      if (specifier.startsWith('@/') || specifier.startsWith('.')) {
        const resolved = resolveSource(file, specifier);
        if (!resolved) throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${specifier}`);
        queue.push(resolved);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
      }
    }
  }
  return { files, packages };
}

describe('the control plane image', () => {
  const graph = runtimeGraph(path.join(ROOT, 'server.ts'));
  const copied = [...finalStage.matchAll(/^COPY (?!--from)(.*)$/gm)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/).slice(0, -1));

  it('copies every source file server.ts loads at run time', () => {
    const needed = new Set([...graph.files].map((file) => path.relative(ROOT, file).split(path.sep)[0] ?? ''));
    expect([...needed].sort()).toEqual(['db', 'lib', 'server', 'server.ts']);
    for (const top of needed) expect(copied, `${top} is loaded at run time`).toContain(top);
    expect(copied).toContain('tsconfig.json'); // the "@/" paths
    expect(finalStage).toMatch(/^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
    expect(finalStage).toMatch(/^COPY --from=build \/app\/\.next \.\/\.next$/m);
  });

  it('needs only production dependencies at run time, and installs only those', () => {
    for (const name of graph.packages) expect(Object.keys(pkg.dependencies), `${name} is imported at run time`).toContain(name);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(pkg.dependencies).toHaveProperty('tsx'); // server.ts runs through it
    for (const name of ['next', 'drizzle-orm', 'better-sqlite3', 'pg', 'ws']) expect(graph.packages).toContain(name);
  });

  it('runs as a non-root user', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/^CMD \["node", "--import", "tsx", "server.ts"\]$/m);
  });
});

describe('the control plane chart', () => {
  const values = parse(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const templates = fs.readdirSync(path.join(CHART, 'templates')).map((name) => fs.readFileSync(path.join(CHART, 'templates', name), 'utf8'));

  it('is versioned with the application', () => {
    const chart = parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { apiVersion: string; name: string; appVersion: string };
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'fleetdeck', appVersion: pkg.version });
  });

  it('reads only values that values.yaml declares', () => {
    const read = new Set(templates.flatMap((text) => [...text.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)].map((m) => m[1] ?? '')));
    expect(read.size).toBeGreaterThan(10);
    for (const key of read) {
      let node: unknown = values;
      for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
      expect(node, `.Values.${key}`).not.toBeUndefined();
    }
  });

  it('runs one replica, recreated on upgrade (the instance lock allows one per database)', () => {
    const deployment = templates.find((text) => text.includes('kind: Deployment')) ?? '';
    expect(deployment).toMatch(/^ {2}replicas: 1$/m);
    expect(deployment).toMatch(/^ {4}type: Recreate$/m);
    expect(deployment).toContain('runAsNonRoot: true');
  });
});
