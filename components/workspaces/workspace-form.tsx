'use client';

import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { useTRPC } from '@/components/trpc/client';
import {
  BLANK_TOLERATION,
  hasToleration,
  labelsFromRows,
  quotaFromBoxes,
  tolerationForTaint,
  tolerationFromRow,
  type LabelRow,
  type TolerationRow,
  type WorkspaceFormValues,
} from '@/components/workspaces/workspace-form-values';
import {
  createWorkspaceInput,
  updateWorkspaceInput,
  WORKSPACE_NAME_RULE,
  type CreateWorkspaceInput,
  type UpdateWorkspaceInput,
} from '@/lib/schemas/workspace';
import { TAINT_EFFECTS, TOLERATION_OPERATORS, workspaceFqn } from '@/lib/workspaces';

export const TOLERATIONS_APPLY_TO =
  'Tolerations apply to every job submitted to this workspace: its pods may then run on nodes carrying the matching taints (GPU nodes are often tainted so that only GPU jobs land there).';

export interface ClusterChoice {
  id: number;
  name: string;
}

type Props =
  | {
      mode: 'create';
      initial: WorkspaceFormValues;
      /** The clusters a workspace may be created in. */
      clusters: readonly ClusterChoice[];
      pending: boolean;
      error: unknown;
      onSubmit: (input: CreateWorkspaceInput) => void;
      onCancel: () => void;
    }
  | {
      mode: 'edit';
      workspaceId: number;
      /** Name and cluster are fixed once the namespace exists. */
      fixed: { name: string; clusterName: string };
      initial: WorkspaceFormValues;
      pending: boolean;
      error: unknown;
      onSubmit: (input: UpdateWorkspaceInput) => void;
      onCancel: () => void;
    };

function sameValues(a: WorkspaceFormValues, b: WorkspaceFormValues): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Create or edit a workspace. The environment list offers only the chosen cluster's
 * environments, and the GPU nodes' taints (as the cluster's agent reports them) become
 * tolerations with one click. One zod schema checks the values here and on the server.
 */
export function WorkspaceForm(props: Props) {
  const trpc = useTRPC();
  const [values, setValues] = useState<WorkspaceFormValues>(props.initial);
  const schema = props.mode === 'create' ? createWorkspaceInput : updateWorkspaceInput;
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(schema, props.error);
  useUnsavedChangesWarning(!sameValues(values, props.initial) && !props.pending);

  const options = useQuery(
    trpc.workspaces.formOptions.queryOptions({ clusterId: values.clusterId ?? 0 }, { enabled: values.clusterId !== null }),
  );
  const environments = options.data?.environments ?? [];
  const taints = options.data?.gpuTaints ?? [];

  const set = <K extends keyof WorkspaceFormValues>(key: K, value: WorkspaceFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const common = {
      environmentId: values.environmentId ?? undefined,
      labels: labelsFromRows(values.labels),
      tolerations: values.tolerations.map(tolerationFromRow),
      quota: quotaFromBoxes(values.quota),
    };
    if (props.mode === 'create') {
      const parsed = parse({ ...common, name: values.name.trim(), clusterId: values.clusterId ?? undefined });
      if (parsed) props.onSubmit(parsed as CreateWorkspaceInput);
    } else {
      const parsed = parse({ ...common, id: props.workspaceId });
      if (parsed) props.onSubmit(parsed as UpdateWorkspaceInput);
    }
  }

  const clusterName = props.mode === 'edit' ? props.fixed.clusterName : props.clusters.find((c) => c.id === values.clusterId)?.name;
  const workspaceName = props.mode === 'edit' ? props.fixed.name : values.name.trim();

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="max-w-3xl space-y-6">
      <div className="grid gap-4 sm:grid-cols-2">
        {props.mode === 'create' ? (
          <>
            <Field label="Workspace name" required errors={fieldErrors.name} hint={WORKSPACE_NAME_RULE}>
              {(c) => <Input {...c} value={values.name} autoComplete="off" onChange={(e) => set('name', e.target.value)} autoFocus />}
            </Field>
            <Field label="Cluster" required errors={fieldErrors.clusterId} hint="The workspace is a namespace in this cluster.">
              {(c) => (
                <Select
                  {...c}
                  value={values.clusterId ?? ''}
                  onChange={(e) => {
                    set('clusterId', e.target.value ? Number(e.target.value) : null);
                    // Another cluster carries other environments: the choice is made again.
                    set('environmentId', null);
                  }}
                >
                  <option value="">Choose a cluster…</option>
                  {props.clusters.map((cluster) => (
                    <option key={cluster.id} value={cluster.id}>
                      {cluster.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </>
        ) : (
          <dl className="grid gap-1 text-sm sm:col-span-2">
            <dt className="text-xs text-zinc-500">Workspace (name and cluster cannot change)</dt>
            <dd className="font-mono break-all">{workspaceFqn(props.fixed.clusterName, props.fixed.name)}</dd>
          </dl>
        )}
        <Field
          label="Environment"
          required
          errors={fieldErrors.environmentId}
          hint={
            values.clusterId === null
              ? 'Choose the cluster first: a workspace takes one of its cluster’s environments.'
              : options.isSuccess && environments.length === 0
                ? `${clusterName ?? 'This cluster'} carries no environment yet: add one on the cluster’s page first.`
                : `One of ${clusterName ?? 'the cluster'}’s environments.`
          }
        >
          {(c) => (
            <Select
              {...c}
              disabled={values.clusterId === null || options.isPending}
              value={values.environmentId ?? ''}
              onChange={(e) => set('environmentId', e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">{options.isFetching && values.clusterId !== null ? 'Loading…' : 'Choose an environment…'}</option>
              {environments.map((env) => (
                <option key={env.id} value={env.id}>
                  {env.name}
                  {env.isProduction ? ' (production)' : ''}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="self-end pb-1 text-sm">
          {(() => {
            const env = environments.find((e) => e.id === values.environmentId);
            return env ? <EnvironmentChip name={env.name} color={env.color} isProduction={env.isProduction} /> : null;
          })()}
        </div>
      </div>
      {clusterName && workspaceName && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          FQN: <span className="font-mono break-all">{workspaceFqn(clusterName, workspaceName)}</span>
        </p>
      )}

      <Section title="Labels" description="Kubernetes labels on the namespace, beside Fleetdeck’s own." errors={fieldErrors.labels}>
        <LabelRows rows={values.labels} invalid={Boolean(fieldErrors.labels)} onChange={(rows) => set('labels', rows)} />
      </Section>

      <Section title="Tolerations" description={TOLERATIONS_APPLY_TO} errors={fieldErrors.tolerations}>
        {taints.length > 0 && (
          <div className="space-y-1">
            <p className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Taints on {clusterName ?? 'this cluster'}’s GPU nodes</p>
            <ul className="flex flex-wrap gap-2">
              {taints.map((taint) => {
                const row = tolerationForTaint(taint);
                const added = hasToleration(values.tolerations, row);
                const text = `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
                return (
                  <li key={text}>
                    <Button
                      variant="secondary"
                      size="sm"
                      disabled={added}
                      aria-label={added ? `Tolerated: ${text}` : `Tolerate ${text}`}
                      onClick={() => set('tolerations', [...values.tolerations, row])}
                    >
                      <span className="font-mono">{text}</span>
                      <span className="text-zinc-500">{added ? '✓ added' : '+ tolerate'}</span>
                    </Button>
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        {values.clusterId !== null && options.isSuccess && taints.length === 0 && (
          <p className="text-xs text-zinc-500">The agent reports no taints on this cluster’s GPU nodes.</p>
        )}
        <TolerationRows rows={values.tolerations} invalid={Boolean(fieldErrors.tolerations)} onChange={(rows) => set('tolerations', rows)} />
      </Section>

      <Section
        title="Resource quota"
        description="Optional. Caps what all of the workspace’s pods may request together; leave empty for no quota."
        errors={fieldErrors.quota}
      >
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label="CPU" hint="Cores, e.g. 8 or 500m">
            {(c) => <Input {...c} aria-invalid={Boolean(fieldErrors.quota)} value={values.quota.cpu} onChange={(e) => set('quota', { ...values.quota, cpu: e.target.value })} />}
          </Field>
          <Field label="Memory" hint="e.g. 32Gi">
            {(c) => (
              <Input {...c} aria-invalid={Boolean(fieldErrors.quota)} value={values.quota.memory} onChange={(e) => set('quota', { ...values.quota, memory: e.target.value })} />
            )}
          </Field>
          <Field label="GPUs" hint="A whole number">
            {(c) => (
              <Input
                {...c}
                inputMode="numeric"
                aria-invalid={Boolean(fieldErrors.quota)}
                value={values.quota.gpus}
                onChange={(e) => set('quota', { ...values.quota, gpus: e.target.value })}
              />
            )}
          </Field>
        </div>
      </Section>

      <FormError message={formError} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={props.pending}>
          {props.mode === 'create' ? 'Create workspace' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}

/** A group of rows with its one message (the schema reports a group's first problem, naming the row). */
function Section({ title, description, errors, children }: { title: string; description: ReactNode; errors?: string[]; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  const error = errors?.[0];
  return (
    <fieldset aria-describedby={`${id}-desc${error ? ` ${id}-error` : ''}`} aria-invalid={Boolean(error)} className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      <p id={`${id}-desc`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {description}
      </p>
      {children}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium break-words text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function LabelRows({ rows, invalid, onChange }: { rows: LabelRow[]; invalid: boolean; onChange: (rows: LabelRow[]) => void }) {
  const update = (index: number, change: Partial<LabelRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <div className="space-y-2">
      {rows.map((row, index) => (
        <div key={index} className="grid grid-cols-[1fr_1fr_auto] items-end gap-2">
          <Field label={`Label ${index + 1} key`}>
            {(c) => <Input {...c} aria-invalid={invalid} value={row.key} placeholder="team" onChange={(e) => update(index, { key: e.target.value })} />}
          </Field>
          <Field label={`Label ${index + 1} value`}>
            {(c) => <Input {...c} aria-invalid={invalid} value={row.value} placeholder="ml" onChange={(e) => update(index, { value: e.target.value })} />}
          </Field>
          <Button variant="ghost" size="sm" aria-label={`Remove label ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            Remove
          </Button>
        </div>
      ))}
      <Button variant="secondary" size="sm" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add label
      </Button>
    </div>
  );
}

function TolerationRows({ rows, invalid, onChange }: { rows: TolerationRow[]; invalid: boolean; onChange: (rows: TolerationRow[]) => void }) {
  const update = (index: number, change: Partial<TolerationRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <div className="space-y-2">
      {rows.map((row, index) => {
        const n = index + 1;
        return (
          <div key={index} className="grid grid-cols-2 items-end gap-2 rounded-md sm:grid-cols-[2fr_1fr_1.5fr_1.5fr_auto]">
            <Field label={`Toleration ${n} key`}>
              {(c) => <Input {...c} aria-invalid={invalid} value={row.key} placeholder="nvidia.com/gpu" onChange={(e) => update(index, { key: e.target.value })} />}
            </Field>
            <Field label={`Toleration ${n} operator`}>
              {(c) => (
                <Select
                  {...c}
                  aria-invalid={invalid}
                  value={row.operator}
                  // Exists matches any value, so a value typed for Equal goes with the switch.
                  onChange={(e) => update(index, { operator: e.target.value as TolerationRow['operator'], ...(e.target.value === 'Exists' ? { value: '' } : {}) })}
                >
                  {TOLERATION_OPERATORS.map((op) => (
                    <option key={op} value={op}>
                      {op}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label={`Toleration ${n} value`}>
              {(c) => (
                <Input
                  {...c}
                  aria-invalid={invalid}
                  disabled={row.operator === 'Exists'}
                  value={row.value}
                  placeholder={row.operator === 'Exists' ? 'any value' : 'true'}
                  onChange={(e) => update(index, { value: e.target.value })}
                />
              )}
            </Field>
            <Field label={`Toleration ${n} effect`}>
              {(c) => (
                <Select {...c} aria-invalid={invalid} value={row.effect} onChange={(e) => update(index, { effect: e.target.value as TolerationRow['effect'] })}>
                  <option value="">Any effect</option>
                  {TAINT_EFFECTS.map((effect) => (
                    <option key={effect} value={effect}>
                      {effect}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Button variant="ghost" size="sm" aria-label={`Remove toleration ${n}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        );
      })}
      <Button variant="secondary" size="sm" onClick={() => onChange([...rows, { ...BLANK_TOLERATION }])}>
        Add toleration
      </Button>
    </div>
  );
}
