/**
 * First-load JavaScript of the fleet table and of a cluster's Metrics tab, gzip, read
 * from the last `next build` (run `npm run build` first):
 *
 *   npm run bench:js
 *
 * Next 16 builds with Turbopack, which writes no `app-build-manifest.json`. What a route
 * loads is, per `.next/build-manifest.json`, the `rootMainFiles` every page loads, plus
 * the route's own chunks: `entryJSFiles` of its layouts and page in
 * `.next/server/app/<route>/page_client-reference-manifest.js`. Polyfills are left out
 * (`nomodule`: modern browsers never fetch them).
 *
 * The Metrics tab also loads, once a chart draws, the chunks its entry chunks import on
 * demand (recharts, by next/dynamic): found as the chunk paths those entry chunks name,
 * and counted separately. The script fails if `/clusters` is at or over 200 KB, or if any
 * of its chunks holds recharts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const NEXT = path.resolve('.next');
const BUDGET_BYTES = 200 * 1024;
/** A string only recharts' code holds (its class names), to tell its chunks. */
const RECHARTS_MARK = 'recharts-wrapper';

interface Route {
  label: string;
  /** The app route whose client reference manifest lists the chunks, as the build names it. */
  page: string;
  /** Where that manifest lives under .next/server/app. */
  dir: string;
}

const ROUTES: Route[] = [
  { label: '/clusters', page: '/(app)/clusters/page', dir: '(app)/clusters' },
  { label: '/clusters/<name>/metrics', page: '/(app)/clusters/[name]/[tab]/page', dir: '(app)/clusters/[name]/[tab]' },
];

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

const gzipCache = new Map<string, number>();
function gzipSize(chunk: string): number {
  let size = gzipCache.get(chunk);
  if (size === undefined) {
    size = gzipSync(fs.readFileSync(path.join(NEXT, chunk)), { level: 9 }).length;
    gzipCache.set(chunk, size);
  }
  return size;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The route's own chunks: the manifest's entryJSFiles, for every entry (root layout, group layout, page). */
function entryChunks(route: Route): string[] {
  const file = path.join(NEXT, 'server', 'app', route.dir, 'page_client-reference-manifest.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  // The manifest is a script assigning globalThis.__RSC_MANIFEST[page]; evaluate it in a sandbox object.
  const sandbox: { __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
  new Function('globalThis', fs.readFileSync(file, 'utf8'))(sandbox);
  const manifest = sandbox.__RSC_MANIFEST?.[route.page];
  if (!manifest?.entryJSFiles) throw new Error(`${file} has no entryJSFiles for ${route.page}`);
  return [...new Set(Object.values(manifest.entryJSFiles).flat())];
}

/** Chunks the given ones name but do not include: what they import on demand, transitively. */
function onDemandChunks(loaded: Set<string>): string[] {
  const found = new Set<string>();
  const queue = [...loaded];
  while (queue.length > 0) {
    const chunk = queue.pop() as string;
    const text = fs.readFileSync(path.join(NEXT, chunk), 'utf8');
    for (const match of text.matchAll(/static\/chunks\/[\w.-]+\.js/g)) {
      const named = match[0];
      if (loaded.has(named) || found.has(named) || !fs.existsSync(path.join(NEXT, named))) continue;
      found.add(named);
      queue.push(named);
    }
  }
  return [...found];
}

function holdsRecharts(chunk: string): boolean {
  return fs.readFileSync(path.join(NEXT, chunk), 'utf8').includes(RECHARTS_MARK);
}

function main(): void {
  const build = readJson<{ rootMainFiles: string[] }>(path.join(NEXT, 'build-manifest.json'));
  let failed = false;
  console.log(`First-load JavaScript, gzip (level 9), from ${NEXT}`);
  for (const route of ROUTES) {
    const chunks = new Set([...build.rootMainFiles, ...entryChunks(route)]);
    const total = [...chunks].reduce((sum, chunk) => sum + gzipSize(chunk), 0);
    const lazy = onDemandChunks(chunks);
    const lazyTotal = lazy.reduce((sum, chunk) => sum + gzipSize(chunk), 0);
    const rechartsInFirstLoad = [...chunks].filter(holdsRecharts);
    const rechartsOnDemand = lazy.filter(holdsRecharts);
    console.log(`${route.label}`);
    console.log(`  first load: ${kb(total)} in ${chunks.size} chunks${rechartsInFirstLoad.length > 0 ? ' (recharts included)' : ' (no recharts)'}`);
    console.log(
      `  loaded on demand: ${kb(lazyTotal)} in ${lazy.length} chunks` +
        (rechartsOnDemand.length > 0 ? `, recharts among them (${kb(rechartsOnDemand.reduce((sum, chunk) => sum + gzipSize(chunk), 0))})` : ''),
    );
    console.log(`  with a chart drawn (first load + on demand): ${kb(total + lazyTotal)}`);
    if (route.label === '/clusters') {
      if (total >= BUDGET_BYTES) {
        console.log(`  OVER BUDGET: /clusters must stay under ${kb(BUDGET_BYTES)}`);
        failed = true;
      }
      if (rechartsInFirstLoad.length > 0) {
        console.log('  recharts is in /clusters\' first load: it must load only on pages that chart');
        failed = true;
      }
    }
  }
  if (failed) process.exitCode = 1;
}

main();
