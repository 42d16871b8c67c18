'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { AddonSwitches } from '@/components/clusters/addon-switches';
import { EnvironmentPicker } from '@/components/clusters/attach-cluster-form';
import { Detail } from '@/components/clusters/cluster-panel';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { errorMessage, serverFieldErrors } from '@/lib/form-errors';
import type { ProviderId } from '@/lib/providers';
import { parseBaseDomainsText } from '@/lib/schemas/cluster';
import { updateClusterSettingsInput, type UpdateClusterSettingsFormValues } from '@/lib/schemas/cluster-settings';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

type ClusterDetail = RouterOutputs['clusters']['get'];
type SettingsResult = RouterOutputs['clusters']['updateSettings'];

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

interface SettingsForm {
  region: string;
  baseDomainsText: string;
  prometheusUrl: string;
  nodePoolLabel: string;
  gpuTypeLabel: string;
}

function settingsFormOf({ cluster }: ClusterDetail): SettingsForm {
  return {
    region: cluster.region,
    baseDomainsText: cluster.baseDomains.join(', '),
    prometheusUrl: cluster.prometheusUrl,
    nodePoolLabel: cluster.nodePoolLabel,
    gpuTypeLabel: cluster.gpuTypeLabel,
  };
}

/** What happened to the agent after a save, in words. */
const DELIVERY: Record<SettingsResult['agent'], string> = {
  applied: 'Saved. The agent took the new settings and reported its nodes again.',
  reconnecting: 'Saved. The agent is reconnecting to take the new settings.',
  'next-connect': 'Saved. The agent takes the new settings when it next connects.',
  'not-needed': 'Saved.',
};

/**
 * Region, base domains, Prometheus URL and label keys: shown to everyone, edited by
 * admins after attach. Label keys and the Prometheus URL reach a connected agent at
 * once (no reinstall): the save says whether it took them.
 */
export function ClusterSettingsEditor({ detail, canManage }: { detail: ClusterDetail; canManage: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshCluster(detail.cluster.name);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const update = useMutation(
    trpc.clusters.updateSettings.mutationOptions({
      onSuccess: async (result) => {
        await refresh();
        setForm(null);
        setSaved(result.changed ? DELIVERY[result.agent] : 'Nothing changed.');
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(updateClusterSettingsInput, update.error);
  const initial = settingsFormOf(detail);
  const dirty = form !== null && (Object.keys(initial) as (keyof SettingsForm)[]).some((key) => form[key] !== initial[key]);
  useUnsavedChangesWarning(dirty);
  const { cluster } = detail;

  if (form === null) {
    return (
      <div className="space-y-3">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          <Detail term="Region">{cluster.region}</Detail>
          <Detail term="Base domains">{cluster.baseDomains.length ? cluster.baseDomains.join(', ') : 'none'}</Detail>
          <Detail term="Prometheus URL">
            <code className="text-xs break-all">{cluster.prometheusUrl}</code>
          </Detail>
          <Detail term="Node pool label">
            <code className="text-xs break-all">{cluster.nodePoolLabel}</code>
          </Detail>
          <Detail term="GPU type label">
            <code className="text-xs break-all">{cluster.gpuTypeLabel}</code>
          </Detail>
        </dl>
        {saved && (
          <p role="status" className="text-sm text-green-700 dark:text-green-400">
            {saved}
          </p>
        )}
        {canManage && (
          <Button variant="ghost" size="sm" onClick={() => (update.reset(), setSaved(null), setForm(initial))}>
            Edit settings
          </Button>
        )}
      </div>
    );
  }

  const set = (key: keyof SettingsForm, value: string, field: string = key) => {
    setForm((current) => (current ? { ...current, [key]: value } : current));
    fieldChanged(field);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    const values: UpdateClusterSettingsFormValues = {
      name: cluster.name,
      region: form.region,
      baseDomains: parseBaseDomainsText(form.baseDomainsText),
      prometheusUrl: form.prometheusUrl,
      nodePoolLabel: form.nodePoolLabel,
      gpuTypeLabel: form.gpuTypeLabel,
    };
    if (!parse(values)) {
      update.reset();
      return;
    }
    update.mutate(values);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Cluster settings" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Region" required errors={fieldErrors.region}>
          {(c) => <Input {...c} value={form.region} autoComplete="off" onChange={(e) => set('region', e.target.value)} />}
        </Field>
        <Field label="Base domains" errors={fieldErrors.baseDomains} hint="Separate several with commas.">
          {(c) => <Input {...c} value={form.baseDomainsText} autoComplete="off" spellCheck={false} onChange={(e) => set('baseDomainsText', e.target.value, 'baseDomains')} />}
        </Field>
      </div>
      <Field label="Prometheus URL" required errors={fieldErrors.prometheusUrl} hint="The agent queries it and checks it again at once.">
        {(c) => <Input {...c} value={form.prometheusUrl} spellCheck={false} onChange={(e) => set('prometheusUrl', e.target.value)} />}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Node pool label" required errors={fieldErrors.nodePoolLabel} hint="The agent reads nodes' pools from this key.">
          {(c) => <Input {...c} value={form.nodePoolLabel} spellCheck={false} onChange={(e) => set('nodePoolLabel', e.target.value)} />}
        </Field>
        <Field label="GPU type label" required errors={fieldErrors.gpuTypeLabel} hint="The agent reads GPU types from this key.">
          {(c) => <Input {...c} value={form.gpuTypeLabel} spellCheck={false} onChange={(e) => set('gpuTypeLabel', e.target.value)} />}
        </Field>
      </div>
      <FormError message={formError} />
      <div className="flex gap-2">
        <Button type="submit" size="sm" pending={update.isPending}>
          Save settings
        </Button>
        <Button variant="secondary" size="sm" onClick={() => (update.reset(), setForm(null))}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
