/**
 * Drift and quota use from what agents report about the namespaces Fleetdeck manages
 * (`managedNamespaces` in snapshots, `managedNamespace.*` in deltas), written in the
 * state writer's transaction (state-sql.ts calls in here).
 *
 * Only a workspace the agent has confirmed (Synced) can drift: while a change is
 * Pending the namespace is expected to differ, and the reconciler clears drift when it
 * applies. Quota use is stored for every workspace whose namespace is reported.
 *
 * Cost: nothing for reports without managed namespaces (older agents, node churn); one
 * indexed select of the cluster's workspaces per snapshot, of the named ones per delta,
 * and an update only for rows whose drift or quota use moved.
 */
import { eq } from 'drizzle-orm';
import type { ManagedNamespaceState, StateChange } from '@/lib/agent-protocol';
import { tablesOf, type Db } from '@/server/store';
import { describeDrift, desiredNamespace } from '@/server/workspace-sync/desired-namespace';
import { selectWorkspaceSpecs } from '@/server/workspace-sync/workspace-specs';

type ManagedNamespaceChange = Extract<StateChange, { kind: 'managedNamespace.upsert' | 'managedNamespace.delete' }>;

export function isManagedNamespaceChange(change: StateChange): change is ManagedNamespaceChange {
  return change.kind === 'managedNamespace.upsert' || change.kind === 'managedNamespace.delete';
}

/** What one flush learnt about a cluster's managed namespaces: a whole list, or some changes. */
export class ReportedNamespaces {
  /** From a snapshot (then updated by later deltas of the same flush): every managed namespace. */
  private all: Map<string, ManagedNamespaceState> | undefined;
  /** Without a snapshot in the flush: the namespaces that changed (null: gone). */
  private readonly changed = new Map<string, ManagedNamespaceState | null>();

  /** A snapshot's list; undefined (an agent older than workspaces, namespaces not listable) says nothing. */
  snapshot(namespaces: readonly ManagedNamespaceState[] | undefined): void {
    if (!namespaces) return;
    this.all = new Map(namespaces.map((ns) => [ns.name, ns]));
    this.changed.clear();
  }

  change(change: ManagedNamespaceChange): void {
    const name = change.kind === 'managedNamespace.upsert' ? change.namespace.name : change.name;
    const namespace = change.kind === 'managedNamespace.upsert' ? change.namespace : null;
    if (this.all) {
      if (namespace) this.all.set(name, namespace);
      else this.all.delete(name);
    } else this.changed.set(name, namespace);
  }

  get isEmpty(): boolean {
    return !this.all && this.changed.size === 0;
  }

  /** Every name to look at (undefined: all the cluster's workspaces), and what was reported for one. */
  scope(): { names: string[] | undefined; reported(name: string): ManagedNamespaceState | null } {
    const all = this.all;
    if (all) return { names: undefined, reported: (name) => all.get(name) ?? null };
    return { names: [...this.changed.keys()], reported: (name) => this.changed.get(name) ?? null };
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Stores drift and quota use for the workspaces the report speaks of. Returns the ids of
 * the workspaces whose row changed.
 */
export async function storeReportedNamespaces(tx: Db, clusterId: number, reported: ReportedNamespaces): Promise<number[]> {
  if (reported.isEmpty) return [];
  const { workspaces } = tablesOf(tx);
  const { names, reported: reportedFor } = reported.scope();
  const rows = await selectWorkspaceSpecs(tx, clusterId, { states: ['synced', 'pending', 'failed'], ...(names ? { names } : {}) });
  const changed: number[] = [];
  for (const row of rows) {
    const namespace = reportedFor(row.name);
    const quotaUsage = namespace?.quota ?? null;
    const drift = row.syncState === 'synced' ? describeDrift(desiredNamespace(row), namespace) : row.drift;
    if (drift === row.drift && sameJson(quotaUsage, row.quotaUsage)) continue;
    await tx.update(workspaces).set({ drift, quotaUsage }).where(eq(workspaces.id, row.id));
    changed.push(row.id);
  }
  return changed;
}
