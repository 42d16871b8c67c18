import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', '.next/**', 'e2e/**'],
    environment: 'node',
    // better-sqlite3 and real sockets: threads share nothing useful, forks are safest.
    pool: 'forks',
    // Tests that assert on logs inject their own logger; the rest need not print JSON lines.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
