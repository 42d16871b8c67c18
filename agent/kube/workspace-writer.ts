/**
 * The agent's only writes to the cluster: a workspace's namespace and its ResourceQuota.
 *
 * The rule that makes this safe in someone else's cluster: a namespace is written (or
 * deleted) only while it carries `app.kubernetes.io/managed-by=fleetdeck`. An existing
 * namespace without the label is *foreign*: the answer says so and nothing is written.
 *
 * Labels and annotations are merged, not replaced: the keys Fleetdeck set last time are
 * remembered in an annotation, so a label removed from the workspace is removed from the
 * namespace while labels others put there (and `kubernetes.io/metadata.name`) stay.
 */
import { z } from 'zod';
import type { CoreV1Api, V1Namespace, V1ResourceQuota } from '@kubernetes/client-node';
import type { AgentMethodParams, AgentMethodResult } from '@/lib/agent-protocol';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, QUOTA_NAME } from '@/lib/workspaces';
import { httpStatusOf } from '@/agent/kube/resource-watch';

/** JSON `{ labels: string[], annotations: string[] }`: the keys Fleetdeck set on the namespace. */
export const APPLIED_KEYS_ANNOTATION = 'fleetdeck.io/applied-keys';

/** A replace that lost a race with another writer (409 Conflict) is retried this many times. */
const REPLACE_ATTEMPTS = 3;

export type ApplyParams = AgentMethodParams<'workspace.apply'>;
export type ApplyResult = AgentMethodResult<'workspace.apply'>;
export type RemoveResult = AgentMethodResult<'workspace.remove'>;

export function isManaged(namespace: { metadata?: { labels?: Record<string, string> } }): boolean {
  return namespace.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

export function foreignMessage(name: string): string {
  return (
    `Namespace "${name}" already exists in the cluster and is not managed by Fleetdeck ` +
    `(it lacks the label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}); nothing was changed in it.`
  );
}

interface AppliedKeys {
  labels: string[];
  annotations: string[];
}

/** The string entries of a list; anything else (a hand-edited annotation) counts as none. */
const keyList = z
  .array(z.unknown())
  .transform((keys) => keys.filter((key): key is string => typeof key === 'string'))
  .catch([]);
const appliedKeysJson = z.object({ labels: keyList, annotations: keyList }).catch({ labels: [], annotations: [] });

function appliedKeysOf(namespace: V1Namespace): AppliedKeys {
  const raw = namespace.metadata?.annotations?.[APPLIED_KEYS_ANNOTATION];
  if (!raw) return { labels: [], annotations: [] };
  try {
    return appliedKeysJson.parse(JSON.parse(raw));
  } catch {
    return { labels: [], annotations: [] };
  }
}

function without(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const rest = { ...map };
  for (const key of keys) delete rest[key];
  return rest;
}

/** The namespace's labels and annotations after applying `params` over what is there. */
function mergedMetadata(current: V1Namespace | undefined, params: ApplyParams) {
  const previous = current ? appliedKeysOf(current) : { labels: [], annotations: [] };
  const labels = { ...without(current?.metadata?.labels, previous.labels), ...params.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  const applied: AppliedKeys = {
    labels: Object.keys({ ...params.labels, [MANAGED_BY_LABEL]: '' }).sort(),
    annotations: Object.keys(params.annotations).sort(),
  };
  const annotations = {
    ...without(current?.metadata?.annotations, previous.annotations),
    ...params.annotations,
    [APPLIED_KEYS_ANNOTATION]: JSON.stringify(applied),
  };
  return { labels, annotations };
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

export class WorkspaceWriter {
  constructor(private readonly core: CoreV1Api) {}

  async apply(params: ApplyParams): Promise<ApplyResult> {
    const { name } = params;
    // A new workspace is the common case: create first (one request) and read only if it exists.
    const created = await this.createNamespace(params);
    if (!created) {
      for (let attempt = 1; ; attempt++) {
        const current = await this.readNamespace(name);
        if (!current) {
          if (await this.createNamespace(params)) break;
          continue;
        }
        if (!isManaged(current)) return { outcome: 'foreign', message: foreignMessage(name) };
        if (current.metadata?.deletionTimestamp) {
          throw new Error(`namespace "${name}" is being deleted in the cluster; apply again once it is gone`);
        }
        const { labels, annotations } = mergedMetadata(current, params);
        if (sameMap(current.metadata?.labels, labels) && sameMap(current.metadata?.annotations, annotations)) break;
        try {
          // resourceVersion from the read: a concurrent change makes this a 409, and we read again.
          await this.core.replaceNamespace({ name, body: { ...current, metadata: { ...current.metadata, labels, annotations } } });
          break;
        } catch (err) {
          if (httpStatusOf(err) !== 409 || attempt >= REPLACE_ATTEMPTS) throw err;
        }
      }
    }
    await this.applyQuota(name, params.quota, created);
    return { outcome: 'applied' };
  }

  /** Creates the namespace; false when one of that name exists already (409). */
  private async createNamespace(params: ApplyParams): Promise<boolean> {
    const { labels, annotations } = mergedMetadata(undefined, params);
    try {
      await this.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: params.name, labels, annotations } } });
      return true;
    } catch (err) {
      if (httpStatusOf(err) === 409) return false;
      throw err;
    }
  }

  async remove(name: string): Promise<RemoveResult> {
    const current = await this.readNamespace(name);
    if (!current) return { outcome: 'absent' };
    if (!isManaged(current)) return { outcome: 'foreign', message: foreignMessage(name) };
    try {
      await this.core.deleteNamespace({ name });
      return { outcome: 'removed' };
    } catch (err) {
      if (httpStatusOf(err) === 404) return { outcome: 'absent' };
      throw err;
    }
  }

  private async readNamespace(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.core.readNamespace({ name });
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates or replaces `fleetdeck-quota` in a namespace Fleetdeck manages (null: emptied). */
  private async applyQuota(namespace: string, hard: Record<string, string> | null, namespaceIsNew: boolean): Promise<void> {
    let current: V1ResourceQuota | undefined;
    // A namespace created a moment ago holds no quota: nothing to read.
    if (!namespaceIsNew) {
      try {
        current = await this.core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace });
      } catch (err) {
        if (httpStatusOf(err) !== 404) throw err;
      }
    }
    // No quota: an existing one is emptied (limits nothing) rather than deleted, so the
    // agent's ClusterRole needs delete on namespaces only.
    if (hard === null) {
      if (!current || Object.keys(current.spec?.hard ?? {}).length === 0) return;
      hard = {};
    }
    const metadata = { name: QUOTA_NAME, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } };
    if (!current) {
      await this.core.createNamespacedResourceQuota({ namespace, body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata, spec: { hard } } });
      return;
    }
    if (sameMap(current.spec?.hard, hard) && current.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return;
    await this.core.replaceNamespacedResourceQuota({
      name: QUOTA_NAME,
      namespace,
      body: { ...current, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...metadata.labels } }, spec: { ...current.spec, hard } },
    });
  }
}
