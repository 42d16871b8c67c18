/**
 * Bundles the agent into one file, `<outdir>/agent.mjs` (default dist/agent), with every
 * dependency inside: the agent image holds only Node and this file
 * (deploy/agent.Dockerfile), and deploy/agent-image.test.ts runs it from a clean
 * directory holding nothing else.
 *
 *   npm run build:agent [-- <outdir>]
 */
import path from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const outdir = path.resolve(process.argv[2] ?? 'dist/agent');

await build({
  entryPoints: ['agent/main.ts'],
  outfile: path.join(outdir, 'agent.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws loads these native speed-ups when present and does without them otherwise.
  external: ['bufferutil', 'utf-8-validate'],
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __fleetdeckCreateRequire } from 'node:module'; const require = __fleetdeckCreateRequire(import.meta.url);" },
  tsconfig: 'tsconfig.json',
  legalComments: 'external',
  logLevel: 'warning',
});
