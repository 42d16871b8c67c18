'use client';

import { type UseQueryResult, useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useId, useState } from 'react';
import { carryAddonChoices } from '@/components/clusters/addon-carry-over';
import { AddonSwitches } from '@/components/clusters/addon-switches';
import { PrerequisitesChecklist } from '@/components/clusters/prerequisites-checklist';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { defaultAddons } from '@/lib/addons/catalog';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { clusterPrerequisites, tickPrerequisites } from '@/lib/prerequisites';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '@/lib/providers';
import {
  attachClusterInput,
  type AttachClusterFormValues,
  CLUSTER_NAME_RULE,
  DEFAULT_GPU_TYPE_LABEL,
  DEFAULT_NODE_POOL_LABEL,
  DEFAULT_PROMETHEUS_URL,
  labelKeyProblem,
  parseBaseDomainsText,
} from '@/lib/schemas/cluster';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

export type AttachedCluster = RouterOutputs['clusters']['attach'];

interface FormState {
  name: string;
  provider: ProviderId | '';
  region: string;
  environmentIds: number[];
  baseDomainsText: string;
  prometheusUrl: string;
  nodePoolLabel: string;
  gpuTypeLabel: string;
  /** Only the switches the admin touched; the rest follow the provider's defaults. */
  addonChoices: Record<string, boolean>;
}

const BLANK: FormState = {
  name: '',
  provider: '',
  region: '',
  environmentIds: [],
  baseDomainsText: '',
  prometheusUrl: DEFAULT_PROMETHEUS_URL,
  nodePoolLabel: DEFAULT_NODE_POOL_LABEL,
  gpuTypeLabel: DEFAULT_GPU_TYPE_LABEL,
  addonChoices: {},
};

/** "Attach Existing Cluster": the settings, the addons, and the checklist beside them. */
export function AttachClusterForm({ onAttached }: { onAttached: (result: AttachedCluster) => void }) {
  const trpc = useTRPC();
  const environments = useQuery(trpc.environments.list.queryOptions());
  const attach = useMutation(trpc.clusters.attach.mutationOptions({ onSuccess: onAttached }));
  const [form, setForm] = useState<FormState>(BLANK);
  const regionListId = useId();
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(attachClusterInput, attach.error);
  /** What a provider switch could not carry over, said until the next switch. */
  const [providerNotes, setProviderNotes] = useState<string[]>([]);
  const provider = form.provider || null;
  const addons = provider ? { ...defaultAddons(provider), ...form.addonChoices } : {};
  // Typed input is lost on leaving; once attached, the form is gone and so is the guard.
  useUnsavedChangesWarning(!attach.isSuccess && (Object.keys(BLANK) as (keyof FormState)[]).some((key) => form[key] !== BLANK[key]));

  /** Sets a form value; `field` is the schema field whose old messages it answers. */
  const set = <K extends keyof FormState>(key: K, value: FormState[K], field: string = key) => {
    setForm((current) => ({ ...current, [key]: value }));
    fieldChanged(field);
  };

  function changeProvider(next: ProviderId | '') {
    // The user's switches follow where the new provider allows them; the rest are named.
    const carried = next && form.provider ? carryAddonChoices(form.addonChoices, form.provider, next) : { kept: {}, notes: [] };
    setForm((current) => ({ ...current, provider: next, addonChoices: carried.kept }));
    setProviderNotes(carried.notes);
    fieldChanged('provider');
    fieldChanged('addons');
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const values: AttachClusterFormValues = {
      name: form.name,
      provider: form.provider as ProviderId,
      region: form.region,
      environmentIds: form.environmentIds,
      baseDomains: parseBaseDomainsText(form.baseDomainsText),
      prometheusUrl: form.prometheusUrl,
      nodePoolLabel: form.nodePoolLabel,
      gpuTypeLabel: form.gpuTypeLabel,
      addons,
    };
    if (!parse(values)) {
      attach.reset();
      return;
    }
    attach.mutate(values);
  }

  // The checklist follows the label keys as typed, once they are valid keys.
  const prerequisites = tickPrerequisites(
    clusterPrerequisites({
      provider: provider ?? 'generic',
      nodePoolLabel: labelKeyProblem(form.nodePoolLabel) ? DEFAULT_NODE_POOL_LABEL : form.nodePoolLabel,
      gpuTypeLabel: labelKeyProblem(form.gpuTypeLabel) ? DEFAULT_GPU_TYPE_LABEL : form.gpuTypeLabel,
    }),
    null,
  );

  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Attach Existing Cluster" className="space-y-6">
        <section className="space-y-4 rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
          <h2 className="text-sm font-semibold">Cluster</h2>
          <Field label="Cluster name" required errors={fieldErrors.name} hint={CLUSTER_NAME_RULE}>
            {(c) => <Input {...c} value={form.name} autoComplete="off" spellCheck={false} onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Provider" required errors={fieldErrors.provider}>
              {(c) => (
                <Select
                  {...c}
                  value={form.provider}
                  onChange={(e) => changeProvider(e.target.value as ProviderId | '')}
                >
                  <option value="">Choose a provider…</option>
                  {PROVIDER_IDS.map((id) => (
                    <option key={id} value={id}>
                      {PROVIDERS[id].label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Region" required errors={fieldErrors.region} hint={provider && PROVIDERS[provider].regions.length ? 'Type or pick a suggestion' : 'Free text, e.g. on-prem-1'}>
              {(c) => (
                <>
                  <Input {...c} list={regionListId} value={form.region} autoComplete="off" onChange={(e) => set('region', e.target.value)} />
                  <datalist id={regionListId}>
                    {(provider ? PROVIDERS[provider].regions : []).map((region) => (
                      <option key={region} value={region} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          </div>
          <EnvironmentPicker
            environments={environments}
            selected={form.environmentIds}
            errors={fieldErrors.environmentIds}
            onChange={(ids) => set('environmentIds', ids)}
          />
          <Field
            label="Base domains"
            errors={fieldErrors.baseDomains}
            hint="Optional. A wildcard like *.apps.example.com or a plain host; separate several with commas."
          >
            {(c) => <Input {...c} value={form.baseDomainsText} autoComplete="off" spellCheck={false} onChange={(e) => set('baseDomainsText', e.target.value, 'baseDomains')} />}
          </Field>
          <Field label="Prometheus URL" required errors={fieldErrors.prometheusUrl} hint="The in-cluster Prometheus the agent queries. The default is kube-prometheus-stack’s.">
            {(c) => <Input {...c} value={form.prometheusUrl} spellCheck={false} onChange={(e) => set('prometheusUrl', e.target.value)} />}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Node pool label" required errors={fieldErrors.nodePoolLabel} hint="A Kubernetes label key on every node.">
              {(c) => <Input {...c} value={form.nodePoolLabel} spellCheck={false} onChange={(e) => set('nodePoolLabel', e.target.value)} />}
            </Field>
            <Field label="GPU type label" required errors={fieldErrors.gpuTypeLabel} hint="A label key on GPU nodes, e.g. value H100.">
              {(c) => <Input {...c} value={form.gpuTypeLabel} spellCheck={false} onChange={(e) => set('gpuTypeLabel', e.target.value)} />}
            </Field>
          </div>
        </section>

        <section aria-labelledby="addons-title" className="space-y-3 rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
          <div>
            <h2 id="addons-title" className="text-sm font-semibold">
              Cluster Addons
            </h2>
            <p className="text-xs text-zinc-500">What Fleetdeck installs into the cluster. Defaults depend on the provider; you can change them later.</p>
          </div>
          {provider ? (
            <AddonSwitches provider={provider} value={addons} onChange={(next) => set('addonChoices', next, 'addons')} />
          ) : (
            <p className="text-sm text-zinc-500">Choose a provider to see the addons offered on it and their defaults.</p>
          )}
          {providerNotes.length > 0 && (
            <div role="status" data-testid="provider-switch-notes" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
              <p className="font-medium">Switching provider changed your addon choices:</p>
              <ul className="mt-1 list-disc pl-4">
                {providerNotes.map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
              <p className="mt-1">Your other choices were kept.</p>
            </div>
          )}
          {fieldErrors.addons?.[0] && (
            <p role="alert" className="text-xs font-medium break-words text-red-600 dark:text-red-400">
              {fieldErrors.addons[0]}
            </p>
          )}
        </section>

        {formError && <ErrorState message={formError} />}
        <div className="flex justify-end gap-2">
          <Link href="/clusters" className="inline-flex h-9 items-center rounded-md px-3.5 text-sm text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
            Cancel
          </Link>
          <Button type="submit" pending={attach.isPending}>
            Attach cluster
          </Button>
        </div>
      </form>
      <aside className="rounded-lg border border-zinc-200 bg-white p-5 lg:self-start dark:border-zinc-800 dark:bg-zinc-900">
        <PrerequisitesChecklist items={prerequisites} title="Before you attach: the cluster needs" />
      </aside>
    </div>
  );
}

type EnvironmentsQuery = UseQueryResult<RouterOutputs['environments']['list'], unknown>;

/** "Environments": one checkbox per existing environment, shown as its chip. */
export function EnvironmentPicker({
  environments,
  selected,
  errors,
  onChange,
  disabled,
}: {
  environments: EnvironmentsQuery;
  selected: readonly number[];
  errors: string[] | undefined;
  onChange: (ids: number[]) => void;
  disabled?: boolean;
}) {
  const errorId = useId();
  return (
    <fieldset aria-describedby={errors?.length ? errorId : undefined} aria-invalid={Boolean(errors?.length)} className="space-y-1">
      <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
        Environments<span className="text-red-600" aria-hidden> *</span>
      </legend>
      {environments.isPending ? (
        <LoadingState label="Loading environments…" />
      ) : environments.isError ? (
        <ErrorState error={environments.error} onRetry={() => environments.refetch()} />
      ) : environments.data.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No environments exist yet. <Link href="/environments" className="underline">Create one</Link> first.
        </p>
      ) : (
        <div className="flex flex-wrap gap-3 pt-1">
          {environments.data.map((env) => (
            <label key={env.id} className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                className="size-4 accent-indigo-600"
                checked={selected.includes(env.id)}
                disabled={disabled}
                aria-label={env.name}
                onChange={(e) => onChange(e.target.checked ? [...selected, env.id] : selected.filter((id) => id !== env.id))}
              />
              <EnvironmentChip name={env.name} color={env.color} isProduction={env.isProduction} />
            </label>
          ))}
        </div>
      )}
      <p className="text-xs text-zinc-500">One or more. Workspaces on this cluster pick one of these.</p>
      {errors?.[0] ? (
        <p id={errorId} role="alert" className="text-xs font-medium break-words text-red-600 dark:text-red-400">
          {errors[0]}
        </p>
      ) : null}
    </fieldset>
  );
}
