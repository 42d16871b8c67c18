'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AddonSwitches } from '@/components/clusters/addon-switches';
import { EnvironmentPicker } from '@/components/clusters/attach-cluster-form';
import { EnvironmentChip } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { errorMessage, serverFieldErrors } from '@/lib/form-errors';
import type { ProviderId } from '@/lib/providers';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

type ClusterDetail = RouterOutputs['clusters']['get'];

function useRefreshCluster(name: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() }),
    ]);
}

/** The cluster's environments; admins edit them, with the workspace rule enforced by the server. */
export function ClusterEnvironmentsEditor({ detail, canManage }: { detail: ClusterDetail; canManage: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshCluster(detail.cluster.name);
  const environments = useQuery({ ...trpc.environments.list.queryOptions(), enabled: canManage });
  const [editing, setEditing] = useState<number[] | null>(null);
  const update = useMutation(
    trpc.clusters.updateEnvironments.mutationOptions({ onSuccess: async () => (await refresh(), setEditing(null)) }),
  );
  const current = detail.environments.map((env) => env.id);

  if (editing === null) {
    return (
      <div className="flex flex-wrap items-center gap-2">
        {detail.environments.map((env) => (
          <EnvironmentChip key={env.id} name={env.name} color={env.color} isProduction={env.isProduction} />
        ))}
        {canManage && (
          <Button variant="ghost" size="sm" onClick={() => (update.reset(), setEditing(current))}>
            Edit environments
          </Button>
        )}
      </div>
    );
  }
  const errors = serverFieldErrors(update.error).environmentIds ?? (update.error ? [errorMessage(update.error)] : undefined);
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ name: detail.cluster.name, environmentIds: editing });
      }}
    >
      <EnvironmentPicker environments={environments} selected={editing} errors={errors} onChange={setEditing} />
      <p className="text-xs text-zinc-500">An environment used by a workspace of this cluster cannot be removed.</p>
      <div className="flex gap-2">
        <Button type="submit" size="sm" pending={update.isPending} disabled={editing.length === 0}>
          Save environments
        </Button>
        <Button variant="secondary" size="sm" onClick={() => setEditing(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** Desired addons beside what the agent reports; admins change the desired side. */
export function ClusterAddonsEditor({ detail, canManage }: { detail: ClusterDetail; canManage: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshCluster(detail.cluster.name);
  const saved = Object.fromEntries(detail.addons.map((addon) => [addon.addonId, addon.enabled]));
  const [draft, setDraft] = useState<Record<string, boolean> | null>(null);
  const update = useMutation(trpc.clusters.updateAddons.mutationOptions({ onSuccess: async () => (await refresh(), setDraft(null)) }));
  const value = draft ?? saved;
  const changed = draft !== null && Object.keys(draft).some((id) => draft[id] !== saved[id]);

  return (
    <div className="space-y-3">
      <AddonSwitches
        provider={detail.cluster.provider as ProviderId}
        value={value}
        reported={detail.addons}
        disabled={!canManage || update.isPending}
        onChange={(next) => setDraft(next)}
      />
      {update.error && (
        <p role="alert" className="text-sm text-red-600">
          {serverFieldErrors(update.error).addons?.join(' ') ?? errorMessage(update.error)}
        </p>
      )}
      {canManage && changed && (
        <div className="flex gap-2">
          <Button size="sm" pending={update.isPending} onClick={() => update.mutate({ name: detail.cluster.name, addons: draft })}>
            Save addon changes
          </Button>
          <Button variant="secondary" size="sm" onClick={() => (update.reset(), setDraft(null))}>
            Discard
          </Button>
        </div>
      )}
    </div>
  );
}
