import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering rules live in eslint.config.js. Each case lints one planted import as in-memory
// text at a path inside the real folders, so no forbidden file ever exists on disk.
const LAYER_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);
const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => LAYER_RULES.has(ruleId) });

async function lint(filePath: string, code: string): Promise<ESLint.LintResult[]> {
  return eslint.lintText(`${code}\n`, { filePath: path.join(root, filePath), warnIgnored: true });
}

const forbidden: [file: string, code: string][] = [
  // lib/ is the shared bottom.
  ['lib/planted.ts', "import { tablesOf } from '@/server/store';"],
  ['lib/schemas/planted.ts', "import type { ClusterRow } from '@/db/schema';"],
  ['lib/install/planted.ts', "import { clusters } from '../../db/schema/sqlite';"],
  ['lib/planted.ts', "import { FormError } from '@/components/form-error';"],
  ['lib/planted.ts', "import { startAgent } from '@/agent/agent';"],
  ['lib/planted.ts', "import { waitFor } from '@/testing/wait-for';"],
  // The agent imports only lib/.
  ['agent/planted.ts', "import { loadConfig } from '@/server/config';"],
  ['agent/planted.ts', "import type { ClusterRow } from '@/db/schema';"],
  ['agent/kube/planted.ts', "import { DEMO_FLEET } from '../../demo/fleet';"],
  ['agent/planted.ts', "import { waitFor } from '@/testing/wait-for';"],
  ['agent/planted.test.ts', "import { appRouter } from '@/server/root';"],
  // db/ imports only lib/.
  ['db/schema/planted.ts', "import { tablesOf } from '@/server/store';"],
  ['db/schema/planted.ts', "import { startAgent } from '@/agent/agent';"],
  // Browser code never reaches db/.
  ['components/clusters/planted.tsx', "import { tablesOf } from '@/server/store';"],
  ['components/clusters/planted.tsx', "import type { Store } from '@/server/store/types';"],
  ['components/clusters/planted.tsx', "import { clusters } from '@/db/schema/sqlite';"],
  ['components/clusters/planted.tsx', "import type { ClusterRow } from '@/db/schema';"],
  ['components/clusters/planted.tsx', "import { clusters } from '../../db/schema/sqlite';"],
  ['components/trpc/planted.tsx', "import { appRouter } from '@/server/root';"],
  ['components/clusters/planted.test.tsx', "import type { ClusterRow } from '@/db/schema';"],
  ['app/(app)/clusters/planted/page.tsx', "import { clusters } from '@/db/schema/sqlite';"],
  ['app/(app)/clusters/planted/page.tsx', "import { appRouter } from '@/server/root';"],
  ['app/(app)/clusters/planted/page.tsx', "import { listClusters } from '@/server/services/clusters/list';"],
  // The backend never imports screens.
  ['server/services/planted.ts', "import { FormError } from '@/components/form-error';"],
  ['server/services/planted.ts', "export { default } from '@/app/(app)/page';"],
  ['db/planted.ts', "import Page from '@/app/(app)/page';"],
  ['server/agent-gateway/planted.test.ts', "import { FormError } from '@/components/form-error';"],
  // The control plane never imports agent/ at run time, not even lazily.
  ['server/agent-gateway/planted.ts', "import { startAgent } from '@/agent/agent';"],
  ['server/agent-gateway/planted.ts', "const { startAgent } = await import('@/agent/agent');"],
  ['server/agent-gateway/planted.ts', "export * from '../../agent/agent';"],
  ['server.ts', "import { startAgent } from '@/agent/agent';"],
  ['components/clusters/planted.tsx', "import { startAgent } from '@/agent/agent';"],
  ['app/api/planted/route.ts', "import { startAgent } from '@/agent/agent';"],
  // Product code never imports test helpers or the parts on top of it.
  ['server/services/planted.ts', "import { openTestStore } from '@/testing/test-store';"],
  ['server/services/planted.ts', "import { DEMO_FLEET } from '@/demo/fleet';"],
];

const allowed: [file: string, code: string][] = [
  ['lib/planted.ts', "import { ClusterStatus } from '@/lib/cluster-status';\nimport { z } from 'zod';"],
  ['lib/install/planted.ts', "import { agentVersion } from '../agent-version';"],
  ['agent/planted.ts', "import { agentVersion } from '@/lib/agent-version';\nimport { run } from './run';"],
  ['agent/planted.test.ts', "import { waitFor } from '@/testing/wait-for';"],
  ['db/schema/planted.ts', "import { CLUSTER_STATUS } from '@/lib/cluster-status';\nimport { clusters } from './sqlite';"],
  ['components/trpc/planted.ts', "import type { AppRouter } from '@/server/root';"],
  ['components/clusters/planted.tsx', "import { type InstallInstructions } from '@/server/services/clusters/install';"],
  ['components/clusters/planted.tsx', "import { Button } from '../ui/button';\nimport { ClusterStatus } from '@/lib/cluster-status';"],
  ['app/(app)/clusters/planted/page.tsx', "import { currentUser } from '@/server/auth/current-user';"],
  ['app/api/planted/route.ts', "import { appRouter } from '@/server/root';"],
  ['server/services/planted.ts', "import { tablesOf } from '@/server/store';\nimport type { ClusterRow } from '@/db/schema';\nimport { ClusterStatus } from '@/lib/cluster-status';"],
  ['server/services/planted.ts', "const { tablesOf } = await import('@/server/store');"],
  ['server/agent-gateway/planted.test.ts', "import { startAgent } from '@/agent/agent';\nimport { waitFor } from '@/testing/wait-for';"],
  ['server.ts', "import { loadConfig } from '@/server/config';"],
  ['demo/planted.ts', "import { startAgent } from '@/agent/agent';\nimport { FakeKubeApi } from '@/testing/fake-kube-api';"],
  ['bench/planted.ts', "import { startAgent } from '@/agent/agent';\nimport { clusters } from '@/db/schema/sqlite';"],
  ['testing/planted.ts', "import { startAgent } from '@/agent/agent';\nimport { tablesOf } from '@/server/store';"],
];

describe('layer lint rules', () => {
  it.each(forbidden)('%s: reports %s', async (file, code) => {
    const [result] = await lint(file, code);
    expect(result?.messages).toEqual([
      expect.objectContaining({ ruleId: expect.toSatisfy((id: string) => LAYER_RULES.has(id)), line: 1, severity: 2 }),
    ]);
  });

  // An empty list also proves the virtual path was linted: an ignored path yields a warning.
  it.each(allowed)('%s: allows %s', async (file, code) => {
    const [result] = await lint(file, code);
    expect(result?.messages).toEqual([]);
  });

  it('holds on the real tree', { timeout: 60_000 }, async () => {
    const results = await eslint.lintFiles(['lib', 'agent', 'db', 'server', 'components', 'app', 'server.ts']);
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId))
        .map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  });
});
