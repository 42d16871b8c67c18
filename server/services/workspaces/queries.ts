/**
 * Reading workspaces: the list (filtered, searched by name or FQN, paged on the server,
 * over the workspaces the caller may see), one workspace's page, and what the form offers.
 */
import { and, asc, count, eq, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Taint } from '@/lib/agent-protocol';
import type { ListWorkspacesQuery, WorkspaceRef } from '@/lib/schemas/workspace';
import { TAINT_EFFECTS } from '@/lib/workspaces';
import type { Principal } from '@/server/access/principal';
import { NotFoundError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';
import { viewOf, visibleWorkspacesOn, type WorkspaceEnvironment, type WorkspaceView, workspaceViewColumns } from './shared';

export interface WorkspacePage {
  rows: WorkspaceView[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** `search` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function filtersOf(db: Db, principal: Principal, query: ListWorkspacesQuery): SQL | undefined {
  const { clusters, workspaces } = tablesOf(db);
  const filters: (SQL | undefined)[] = [visibleWorkspacesOn(principal, workspaces.id)];
  if (query.clusterId !== undefined) filters.push(eq(workspaces.clusterId, query.clusterId));
  if (query.environmentIds.length) filters.push(inArray(workspaces.environmentId, query.environmentIds));
  if (query.syncStates.length) filters.push(inArray(workspaces.syncState, query.syncStates));
  if (query.search) {
    const pattern = containsPattern(query.search);
    // The FQN `<cluster>:<workspace>`, so a pasted FQN finds its workspace.
    filters.push(
      or(
        sql`lower(${workspaces.name}) like ${pattern} escape '\\'`,
        sql`lower(${clusters.name} || ':' || ${workspaces.name}) like ${pattern} escape '\\'`,
      ),
    );
  }
  return and(...filters);
}

export async function listWorkspaces(db: Db, principal: Principal, query: ListWorkspacesQuery): Promise<WorkspacePage> {
  const { clusters, environments, workspaces } = tablesOf(db);
  const where = filtersOf(db, principal, query);
  const [counted] = await db
    .select({ n: count() })
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .where(where);
  const total = Number(counted?.n ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await db
    .select(workspaceViewColumns(db))
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .innerJoin(environments, eq(environments.id, workspaces.environmentId))
    .where(where)
    .orderBy(asc(clusters.name), asc(workspaces.name))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);
  return { rows: rows.map((row) => viewOf(principal, row)), total, page, pageSize: query.pageSize, pageCount };
}

/** One workspace's page, by its cluster's name and its own (the URL /workspaces/<cluster>/<name>). */
export async function getWorkspace(db: Db, principal: Principal, ref: WorkspaceRef): Promise<WorkspaceView> {
  const { clusters, environments, workspaces } = tablesOf(db);
  const [row] = await db
    .select(workspaceViewColumns(db))
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .innerJoin(environments, eq(environments.id, workspaces.environmentId))
    .where(and(eq(clusters.name, ref.clusterName), eq(workspaces.name, ref.name)))
    .limit(1);
  if (!row) throw new NotFoundError(`Workspace "${ref.clusterName}:${ref.name}" does not exist (it may have been deleted)`);
  return viewOf(principal, row);
}

/** A taint on the cluster's GPU nodes, offered as a one-click toleration. */
export interface GpuTaint {
  key: string;
  value?: string;
  effect: (typeof TAINT_EFFECTS)[number];
  /** How many GPU nodes carry it. */
  nodeCount: number;
}

export interface WorkspaceFormOptions {
  cluster: { id: number; name: string };
  /** The only environments a workspace of this cluster may carry. */
  environments: WorkspaceEnvironment[];
  gpuTaints: GpuTaint[];
}

/** Distinct taint sets read per cluster: far more than real node pools have. */
const MAX_TAINT_SETS = 1_000;
const MAX_GPU_TAINTS = 50;

function isTaintEffect(effect: string): effect is (typeof TAINT_EFFECTS)[number] {
  return (TAINT_EFFECTS as readonly string[]).includes(effect);
}

export async function workspaceFormOptions(db: Db, clusterId: number): Promise<WorkspaceFormOptions> {
  const { clusterEnvironments, clusterNodes, clusters, environments } = tablesOf(db);
  const [cluster] = await db.select({ id: clusters.id, name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId)).limit(1);
  if (!cluster) throw new NotFoundError('That cluster does not exist (it may have been detached)');
  const taintText = sql<string>`cast(${clusterNodes.taints} as text)`;
  const [envs, taintSets] = await Promise.all([
    db
      .select({
        id: environments.id,
        name: environments.name,
        color: environments.color,
        isProduction: environments.isProduction,
        optimizeFor: environments.optimizeFor,
      })
      .from(clusterEnvironments)
      .innerJoin(environments, eq(environments.id, clusterEnvironments.environmentId))
      .where(eq(clusterEnvironments.clusterId, clusterId))
      .orderBy(asc(environments.name)),
    // One row per distinct taint set (node pools share theirs), never one per node.
    db
      .select({ taints: taintText, n: count() })
      .from(clusterNodes)
      .where(and(eq(clusterNodes.clusterId, clusterId), gt(clusterNodes.gpuCount, 0)))
      .groupBy(taintText)
      .limit(MAX_TAINT_SETS),
  ]);
  const byText = new Map<string, GpuTaint>();
  for (const set of taintSets) {
    const parsed: unknown = JSON.parse(set.taints);
    if (!Array.isArray(parsed)) continue;
    for (const taint of parsed as Taint[]) {
      // A taint a toleration could not name (an unknown effect) is not offered.
      if (!isTaintEffect(taint.effect)) continue;
      const id = JSON.stringify([taint.key, taint.value ?? '', taint.effect]);
      const seen = byText.get(id);
      if (seen) seen.nodeCount += Number(set.n);
      else byText.set(id, { key: taint.key, ...(taint.value ? { value: taint.value } : {}), effect: taint.effect, nodeCount: Number(set.n) });
    }
  }
  const gpuTaints = [...byText.values()]
    .sort((a, b) => b.nodeCount - a.nodeCount || a.key.localeCompare(b.key))
    .slice(0, MAX_GPU_TAINTS);
  return { cluster, environments: envs, gpuTaints };
}
