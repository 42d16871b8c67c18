/** Changes to an attached cluster's settings, environments and addon choices. */
import { and, eq, inArray } from 'drizzle-orm';
import type { ClusterRow } from '@/db/schema';
import {
  AGENT_SETTING_FIELDS,
  CLUSTER_SETTING_FIELDS,
  type ClusterSettingField,
  type UpdateClusterSettingsInput,
} from '@/lib/schemas/cluster-settings';
import { normaliseAddonChoice, unofferedEnabledAddonIds } from '@/lib/addons/catalog';
import type { UpdateClusterAddonsInput, UpdateClusterEnvironmentsInput } from '@/lib/schemas/cluster';
import { AgentCallError } from '@/server/agent-gateway/client';
import { InvalidError, PreconditionError } from '@/server/errors';
import { errorMessage } from '@/server/logger';
import { type Actor, recordAudit } from '@/server/services/audit';
import { refreshClusterStatus } from '@/server/services/cluster-status';
import {
  afterClusterCommit,
  clusterEnvironmentRows,
  findClusterByName,
  requireEnvironments,
  type ClusterServices,
} from '@/server/services/clusters/shared';

export interface SettingsChange {
  changed: boolean;
}

/**
 * Replaces the cluster's environments. Refused while a workspace of this cluster uses
 * an environment being removed (DOMAIN.md, Environment): the message names them.
 */
export async function updateClusterEnvironments(
  cp: ClusterServices,
  actor: Actor,
  input: UpdateClusterEnvironmentsInput,
): Promise<SettingsChange> {
  const { clusters, clusterEnvironments, workspaces } = cp.store.tables;
  const result = await cp.store.transaction(async (tx) => {
    const cluster = await findClusterByName(tx, input.name);
    const before = await clusterEnvironmentRows(tx, cluster.id);
    const wanted = await requireEnvironments(tx, input.environmentIds);
    const wantedIds = new Set(wanted.map((env) => env.id));
    const removed = before.filter((env) => !wantedIds.has(env.id));
    const added = wanted.filter((env) => !before.some((current) => current.id === env.id));
    if (removed.length === 0 && added.length === 0) return { clusterId: cluster.id, changed: false };

    if (removed.length > 0) {
      const removedIds = removed.map((env) => env.id);
      const inUse = await tx
        .select({ name: workspaces.name, environmentId: workspaces.environmentId })
        .from(workspaces)
        .where(and(eq(workspaces.clusterId, cluster.id), inArray(workspaces.environmentId, removedIds)))
        .orderBy(workspaces.name);
      if (inUse.length > 0) {
        const blocking = removed
          .map((env) => ({ env, names: inUse.filter((ws) => ws.environmentId === env.id).map((ws) => ws.name) }))
          .filter((entry) => entry.names.length > 0)
          .map((entry) => `"${entry.env.name}" is used by workspace${entry.names.length > 1 ? 's' : ''} ${someNames(entry.names)}`);
        const message = `Cannot remove: ${blocking.join('; ')}. Move or delete those workspaces first.`;
        throw new PreconditionError(message, { environmentIds: [message] });
      }
      await tx
        .delete(clusterEnvironments)
        .where(and(eq(clusterEnvironments.clusterId, cluster.id), inArray(clusterEnvironments.environmentId, removedIds)));
    }
    if (added.length > 0) {
      await tx.insert(clusterEnvironments).values(added.map((env) => ({ clusterId: cluster.id, environmentId: env.id })));
    }
    await tx.update(clusters).set({ updatedAt: new Date() }).where(eq(clusters.id, cluster.id));
    await recordAudit(tx, actor, {
      action: 'cluster.environments.update',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { environments: before.map((env) => env.name) },
      after: { environments: wanted.map((env) => env.name).sort() },
    });
    return { clusterId: cluster.id, changed: true };
  });
  if (result.changed) afterClusterCommit(cp, result.clusterId);
  return { changed: result.changed };
}

/**
 * Changes the desired addons. Ids not mentioned keep their current value. The status is
 * re-derived at once: turning off an addon the provider already runs clears a conflict.
 */
export async function updateClusterAddons(cp: ClusterServices, actor: Actor, input: UpdateClusterAddonsInput): Promise<SettingsChange> {
  const { clusters } = cp.store.tables;
  const result = await cp.store.transaction(async (tx) => {
    const cluster = await findClusterByName(tx, input.name);
    const unoffered = unofferedEnabledAddonIds(cluster.provider, input.addons);
    if (unoffered.length > 0) {
      throw InvalidError.onField('addons', `Not offered on this provider: ${unoffered.join(', ')}`);
    }
    const next = normaliseAddonChoice(cluster.provider, { ...cluster.addons, ...input.addons });
    const changedIds = Object.keys(next).filter((id) => next[id] !== cluster.addons[id]);
    if (changedIds.length === 0) return { clusterId: cluster.id, changed: false };

    const now = new Date();
    await tx.update(clusters).set({ addons: next, updatedAt: now }).where(eq(clusters.id, cluster.id));
    await recordAudit(tx, actor, {
      action: 'cluster.addons.update',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { addons: Object.fromEntries(changedIds.map((id) => [id, cluster.addons[id] ?? null])) },
      after: { addons: Object.fromEntries(changedIds.map((id) => [id, next[id]])) },
    });
    await refreshClusterStatus(tx, cluster.id, now);
    return { clusterId: cluster.id, changed: true };
  });
  if (result.changed) afterClusterCommit(cp, result.clusterId);
  return { changed: result.changed };
}

/**
 * How the agent learnt of new settings:
 * - `applied`: it took them and sent its state again (nodes under the new label keys);
 * - `reconnecting`: it could not take them live (an older agent, or no answer in time), so
 *   its session was closed with `reconnect` and the next `welcome` carries them;
 * - `next-connect`: no agent is connected; its next `welcome` carries them;
 * - `not-needed`: nothing the agent works with changed.
 */
export type AgentSettingsDelivery = 'applied' | 'reconnecting' | 'next-connect' | 'not-needed';

export interface ClusterSettingsChange extends SettingsChange {
  changedFields: ClusterSettingField[];
  agent: AgentSettingsDelivery;
}

/** Long enough for a snapshot of a large cluster to go out before the answer. */
const CONFIGURE_DEADLINE_MS = 10_000;

const sameSetting = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Changes the settings the input names; fields left out keep their value. Audited with
 * the changed fields only. What the agent works with (label keys, Prometheus URL) is
 * pushed to a connected agent with `agent.configure`, without a reinstall or reconnect.
 */
export async function updateClusterSettings(
  cp: ClusterServices,
  actor: Actor,
  input: UpdateClusterSettingsInput,
): Promise<ClusterSettingsChange> {
  const { clusters } = cp.store.tables;
  const result = await cp.store.transaction(async (tx) => {
    const cluster = await findClusterByName(tx, input.name);
    const next: Pick<ClusterRow, ClusterSettingField> = {
      region: input.region ?? cluster.region,
      baseDomains: input.baseDomains ?? cluster.baseDomains,
      prometheusUrl: input.prometheusUrl ?? cluster.prometheusUrl,
      nodePoolLabel: input.nodePoolLabel ?? cluster.nodePoolLabel,
      gpuTypeLabel: input.gpuTypeLabel ?? cluster.gpuTypeLabel,
    };
    if (next.nodePoolLabel === next.gpuTypeLabel) {
      const field = input.gpuTypeLabel !== undefined ? 'gpuTypeLabel' : 'nodePoolLabel';
      throw InvalidError.onField(field, 'The node pool and GPU type labels must be different keys');
    }
    const changedFields = CLUSTER_SETTING_FIELDS.filter((field) => !sameSetting(next[field], cluster[field]));
    if (changedFields.length === 0) return { cluster, changedFields };

    const now = new Date();
    await tx.update(clusters).set({ ...next, updatedAt: now }).where(eq(clusters.id, cluster.id));
    await recordAudit(tx, actor, {
      action: 'cluster.settings.update',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: Object.fromEntries(changedFields.map((field) => [field, cluster[field]])),
      after: Object.fromEntries(changedFields.map((field) => [field, next[field]])),
    });
    return { cluster: { ...cluster, ...next }, changedFields };
  });
  const { cluster, changedFields } = result;
  if (changedFields.length === 0) return { changed: false, changedFields, agent: 'not-needed' };
  afterClusterCommit(cp, cluster.id);
  const agent = changedFields.some((field) => AGENT_SETTING_FIELDS.includes(field))
    ? await pushSettingsToAgent(cp, cluster)
    : 'not-needed';
  return { changed: true, changedFields, agent };
}

/** After commit: the stored settings are what the next `welcome` carries, so this only hurries the agent. */
async function pushSettingsToAgent(cp: ClusterServices, cluster: ClusterRow): Promise<AgentSettingsDelivery> {
  if (!cp.gateway.isConnected(cluster.id)) return 'next-connect';
  try {
    await cp.gateway
      .agentClient(cluster.id)
      .call(
        'agent.configure',
        cp.gateway.agentConfig({ nodePoolLabel: cluster.nodePoolLabel, gpuTypeLabel: cluster.gpuTypeLabel, prometheusUrl: cluster.prometheusUrl }),
        { deadlineMs: CONFIGURE_DEADLINE_MS },
      );
    return 'applied';
  } catch (error) {
    if (error instanceof AgentCallError && error.failure === 'not_connected') return 'next-connect';
    cp.log.info('agent could not take new settings live; asking it to reconnect', { clusterId: cluster.id, error: errorMessage(error) });
    return cp.gateway.reconnect(cluster.id, 'Cluster settings changed: reconnect for the new configuration')
      ? 'reconnecting'
      : 'next-connect';
  }
}

/** The first few names and how many more: a message stays readable with 500 workspaces behind it. */
function someNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
