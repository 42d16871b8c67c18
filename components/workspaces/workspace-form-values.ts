/**
 * The workspace form's values as the user types them (rows of text), and the pure steps
 * between them and the shared schema's input: labels as key/value rows, tolerations as
 * rows, the quota as three optional boxes, and a GPU node's taint as a one-click toleration.
 */
import type { Toleration, WorkspaceQuota } from '@/lib/workspaces';

export interface LabelRow {
  key: string;
  value: string;
}

export interface TolerationRow {
  key: string;
  operator: Toleration['operator'];
  value: string;
  /** '' tolerates every effect. */
  effect: NonNullable<Toleration['effect']> | '';
}

export interface QuotaBoxes {
  cpu: string;
  memory: string;
  gpus: string;
}

export interface WorkspaceFormValues {
  name: string;
  clusterId: number | null;
  environmentId: number | null;
  labels: LabelRow[];
  tolerations: TolerationRow[];
  quota: QuotaBoxes;
}

/** A taint as the agent reports it on a GPU node. */
export interface NodeTaint {
  key: string;
  value?: string | null;
  effect: NonNullable<Toleration['effect']>;
}

export const BLANK_TOLERATION: TolerationRow = { key: '', operator: 'Equal', value: '', effect: 'NoSchedule' };

export function blankWorkspaceForm(clusterId: number | null = null): WorkspaceFormValues {
  return { name: '', clusterId, environmentId: null, labels: [], tolerations: [], quota: { cpu: '', memory: '', gpus: '' } };
}

/** Rows with neither key nor value are left-over blanks, not labels. */
export function labelsFromRows(rows: readonly LabelRow[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '' && row.value.trim() === '') continue;
    labels[key] = row.value.trim();
  }
  return labels;
}

export function rowsFromLabels(labels: Record<string, string>): LabelRow[] {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

/** A row as Kubernetes writes a toleration: empty parts left out, no value with Exists. */
export function tolerationFromRow(row: TolerationRow): Toleration {
  const toleration: Toleration = { operator: row.operator };
  if (row.key.trim() !== '') toleration.key = row.key.trim();
  // An Exists toleration with a value is refused by the schema, so the user sees why rather than losing it silently.
  if (row.value.trim() !== '') toleration.value = row.value.trim();
  if (row.effect !== '') toleration.effect = row.effect;
  return toleration;
}

export function rowFromToleration(toleration: Toleration): TolerationRow {
  return { key: toleration.key ?? '', operator: toleration.operator, value: toleration.value ?? '', effect: toleration.effect ?? '' };
}

/** The toleration that lets jobs onto nodes carrying `taint`: Equal on its value, or Exists when it has none. */
export function tolerationForTaint(taint: NodeTaint): TolerationRow {
  return taint.value
    ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }
    : { key: taint.key, operator: 'Exists', value: '', effect: taint.effect };
}

/** Whether `rows` already hold a toleration equal to `row` (the taint's button then says so). */
export function hasToleration(rows: readonly TolerationRow[], row: TolerationRow): boolean {
  return rows.some((r) => r.key.trim() === row.key && r.operator === row.operator && r.value.trim() === row.value && r.effect === row.effect);
}

/**
 * Three empty boxes: no quota. GPU text that is not a number ("two") is passed on as a
 * fraction, so the schema refuses it as "not a whole number" on the quota field rather
 * than with zod's NaN wording, and nothing typed is dropped silently.
 */
const NOT_A_COUNT = 0.5;

export function quotaFromBoxes(boxes: QuotaBoxes): WorkspaceQuota | null {
  const cpu = boxes.cpu.trim();
  const memory = boxes.memory.trim();
  const gpus = boxes.gpus.trim();
  if (cpu === '' && memory === '' && gpus === '') return null;
  const quota: WorkspaceQuota = {};
  if (cpu !== '') quota.cpu = cpu;
  if (memory !== '') quota.memory = memory;
  if (gpus !== '') {
    const count = Number(gpus);
    quota.gpus = Number.isFinite(count) ? count : NOT_A_COUNT;
  }
  return quota;
}

export function boxesFromQuota(quota: WorkspaceQuota | null | undefined): QuotaBoxes {
  return { cpu: quota?.cpu ?? '', memory: quota?.memory ?? '', gpus: quota?.gpus === undefined ? '' : String(quota.gpus) };
}
