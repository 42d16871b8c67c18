/**
 * Workspace inputs, shared by the workspace form and the workspaces router: one schema
 * drives both the browser's checks and the server's parse. A workspace is a Kubernetes
 * namespace, so its name, labels and tolerations follow the rules Kubernetes applies.
 */
import { z } from 'zod';
import { clusterRef, labelKeyProblem } from '@/lib/schemas/cluster';
import { MAX_LABEL_KEY, MAX_NAME, MAX_PICKED, quoted, recordId, withoutNul } from '@/lib/schemas/limits';
import { MANAGED_BY_LABEL, type Toleration, TAINT_EFFECTS, TOLERATION_OPERATORS, WORKSPACE_ROLES, WORKSPACE_SYNC_STATES } from '@/lib/workspaces';

// ── Fields ──────────────────────────────────────────────────────────────────

export const MIN_WORKSPACE_NAME = 3;
export const MAX_WORKSPACE_NAME = 32;
/** The rule in words, for the form's hint. */
export const WORKSPACE_NAME_RULE = `${MIN_WORKSPACE_NAME}–${MAX_WORKSPACE_NAME} characters: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit. Unique within its cluster.`;

/** A namespace name: a DNS-1123 label that Fleetdeck also asks to start with a letter. */
export const workspaceName = z
  .string()
  .trim()
  .min(MIN_WORKSPACE_NAME, `Workspace name must be at least ${MIN_WORKSPACE_NAME} characters`)
  .max(MAX_WORKSPACE_NAME, `Workspace name must be at most ${MAX_WORKSPACE_NAME} characters`)
  .regex(/^[a-z]/, 'Workspace name must start with a lower-case letter')
  .regex(/^[a-z0-9-]*$/, 'Use only lower-case letters, digits and "-"')
  .regex(/[a-z0-9]$/, 'Workspace name must end with a letter or digit (it becomes a Kubernetes namespace)');

export const MAX_LABEL_VALUE = 63;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?$/;

/** Why `value` is not a Kubernetes label value, or null when it is (empty is allowed). */
export function labelValueProblem(value: string): string | null {
  if (value.length > MAX_LABEL_VALUE) return `A label value must be at most ${MAX_LABEL_VALUE} characters`;
  if (!LABEL_VALUE.test(value)) {
    return 'A label value may hold letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  }
  return null;
}

/** Label keys Fleetdeck sets itself on every managed namespace: a workspace cannot set them. */
export function reservedLabelKey(key: string): boolean {
  return key === MANAGED_BY_LABEL || key.startsWith('fleetdeck.io/');
}

export const MAX_WORKSPACE_LABELS = 32;

/** Key → value, as on the namespace. Each problem is named by its key. */
export const workspaceLabels = z
  .record(
    z.string().max(MAX_LABEL_KEY, `A label key must be at most ${MAX_LABEL_KEY} characters`),
    z.string().max(MAX_LABEL_VALUE, `A label value must be at most ${MAX_LABEL_VALUE} characters`),
  )
  .superRefine((labels, ctx) => {
    const entries = Object.entries(labels);
    if (entries.length > MAX_WORKSPACE_LABELS) {
      ctx.addIssue({ code: 'custom', message: `At most ${MAX_WORKSPACE_LABELS} labels` });
      return;
    }
    for (const [key, value] of entries) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) ctx.addIssue({ code: 'custom', path: [key], message: `Label ${quoted(key)}: ${keyProblem}` });
      else if (reservedLabelKey(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `Label ${quoted(key)} is set by Fleetdeck; choose another key` });
      }
      const valueProblem = labelValueProblem(value);
      if (valueProblem) ctx.addIssue({ code: 'custom', path: [key], message: `Label ${quoted(key)}: ${valueProblem}` });
    }
  });

export const MAX_TOLERATIONS = 20;

const toleration = z.object({
  key: z.string().trim().max(MAX_LABEL_KEY, `A toleration key must be at most ${MAX_LABEL_KEY} characters`).default(''),
  operator: z.enum(TOLERATION_OPERATORS, 'Choose Equal or Exists'),
  value: z.string().trim().max(MAX_LABEL_VALUE, `A toleration value must be at most ${MAX_LABEL_VALUE} characters`).default(''),
  effect: z.union([z.enum(TAINT_EFFECTS), z.literal('')], 'Choose NoSchedule, PreferNoSchedule, NoExecute or any effect').default(''),
});

/**
 * Why one toleration is refused, field by field, as Kubernetes validates it
 * (`ValidateTolerations`): the key is empty or a qualified name; an empty key needs
 * `Exists`; `Exists` takes no value; an `Equal` value is a label value.
 */
export function tolerationProblems(t: { key: string; operator: string; value: string }): { field: 'key' | 'value' | 'operator'; message: string }[] {
  const problems: { field: 'key' | 'value' | 'operator'; message: string }[] = [];
  if (t.key !== '') {
    const keyProblem = labelKeyProblem(t.key);
    if (keyProblem) problems.push({ field: 'key', message: keyProblem.replace(/label key/g, 'toleration key') });
  } else if (t.operator !== 'Exists') {
    problems.push({ field: 'operator', message: 'An empty key tolerates every taint and needs operator Exists' });
  }
  if (t.operator === 'Exists' && t.value !== '') {
    problems.push({ field: 'value', message: 'With operator Exists leave the value empty' });
  }
  if (t.operator === 'Equal') {
    const valueProblem = labelValueProblem(t.value);
    if (valueProblem) problems.push({ field: 'value', message: valueProblem });
  }
  return problems;
}

/** Tolerations for every job submitted to the workspace; each message names its row (1-based). */
export const workspaceTolerations = z
  .array(toleration)
  .max(MAX_TOLERATIONS, `At most ${MAX_TOLERATIONS} tolerations`)
  .superRefine((rows, ctx) => {
    rows.forEach((row, i) => {
      for (const { field, message } of tolerationProblems(row)) {
        ctx.addIssue({ code: 'custom', path: [i, field], message: `Toleration ${i + 1}: ${message}` });
      }
    });
  })
  // Stored and sent to the agent as Kubernetes writes them: empty fields left out.
  .transform((rows) =>
    rows.map((row): Toleration => ({
      ...(row.key !== '' && { key: row.key }),
      operator: row.operator,
      ...(row.value !== '' && { value: row.value }),
      ...(row.effect !== '' && { effect: row.effect }),
    })),
  );
export type TolerationInput = z.input<typeof toleration>;

/**
 * A Kubernetes quantity as a ResourceQuota takes it: a decimal number and an optional
 * suffix (m, k, M, G, T, P, E, Ki…Ei, or an exponent), e.g. "500m", "16", "64Gi".
 */
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE]\d{1,2})?$/;
const MAX_QUANTITY = 24;
export const MAX_GPUS = 100_000;

const quantity = (what: string, example: string) =>
  z
    .string()
    .trim()
    .max(MAX_QUANTITY, `${what} must be at most ${MAX_QUANTITY} characters`)
    .refine((value) => value === '' || QUANTITY.test(value), `${what} must be a Kubernetes quantity, e.g. ${example}`)
    .optional()
    .transform((value) => value || undefined);

/** A ResourceQuota of CPU, memory and GPUs, each optional; with none of the three there is no quota. */
export const workspaceQuota = z
  .object({
    cpu: quantity('CPU', '8 or 500m'),
    memory: quantity('Memory', '64Gi'),
    gpus: z.number().int('GPUs must be a whole number').min(0, 'GPUs cannot be negative').max(MAX_GPUS, `At most ${MAX_GPUS} GPUs`).optional(),
  })
  .nullable()
  .transform((quota) => {
    if (!quota) return null;
    const { cpu, memory, gpus } = quota;
    if (cpu === undefined && memory === undefined && gpus === undefined) return null;
    return { ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }), ...(gpus !== undefined && { gpus }) };
  });

// ── Procedure inputs ────────────────────────────────────────────────────────

/** What the form edits besides the name and the cluster. */
const workspaceDesiredState = {
  environmentId: recordId,
  labels: workspaceLabels.default({}),
  tolerations: workspaceTolerations.default([]),
  quota: workspaceQuota.default(null),
};

export const createWorkspaceInput = z.object({
  name: workspaceName,
  clusterId: recordId,
  ...workspaceDesiredState,
});
export type CreateWorkspaceFormValues = z.input<typeof createWorkspaceInput>;
export type CreateWorkspaceInput = z.output<typeof createWorkspaceInput>;

/** Everything but the name and the cluster may change (a namespace cannot be renamed or moved). */
export const updateWorkspaceInput = z.object({ id: recordId, ...workspaceDesiredState });
export type UpdateWorkspaceFormValues = z.input<typeof updateWorkspaceInput>;
export type UpdateWorkspaceInput = z.output<typeof updateWorkspaceInput>;

export const workspaceIdInput = z.object({ id: recordId });

/** The FQN `<cluster>:<workspace>`: a cluster name, ":", a workspace name. */
const MAX_FQN = MAX_NAME + 1 + MAX_WORKSPACE_NAME;

/** A production workspace is deleted only with its FQN typed (the server checks). */
export const deleteWorkspaceInput = workspaceIdInput.extend({
  confirmFqn: z.string().trim().max(MAX_FQN, 'Type the workspace FQN exactly to confirm').optional(),
});
export type DeleteWorkspaceInput = z.infer<typeof deleteWorkspaceInput>;

/** The workspace page is /workspaces/<cluster>/<name>. */
export const workspaceRef = z.object({
  clusterName: clusterRef.shape.name,
  name: withoutNul(z.string().trim().min(1, 'Workspace name is required').max(MAX_NAME, `Workspace name must be at most ${MAX_NAME} characters`)),
});
export type WorkspaceRef = z.infer<typeof workspaceRef>;

export const workspaceFormOptionsInput = z.object({ clusterId: recordId });

export const WORKSPACE_PAGE_SIZES = [25, 50, 100] as const;
const MAX_PAGE = 1_000_000;

export const listWorkspacesInput = z.object({
  clusterId: recordId.optional(),
  environmentIds: z.array(recordId).max(MAX_PICKED, `Choose at most ${MAX_PICKED} filters`).default([]),
  syncStates: z.array(z.enum(WORKSPACE_SYNC_STATES)).max(WORKSPACE_SYNC_STATES.length).default([]),
  /** Substring of the workspace name or of its FQN `<cluster>:<workspace>`. */
  search: withoutNul(z.string().trim().max(100, 'Search must be at most 100 characters')).default(''),
  /** 1-based. */
  page: z.number().int().positive().max(MAX_PAGE).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type ListWorkspacesInput = z.input<typeof listWorkspacesInput>;
export type ListWorkspacesQuery = z.output<typeof listWorkspacesInput>;

// ── Workspace roles ─────────────────────────────────────────────────────────

export const workspaceRole = z.enum(WORKSPACE_ROLES, 'Choose admin, editor or viewer');

/** `id` is the workspace (the resource the role is on). */
export const grantWorkspaceRoleInput = z.object({ id: recordId, userId: recordId, role: workspaceRole });
export type GrantWorkspaceRoleInput = z.infer<typeof grantWorkspaceRoleInput>;

export const revokeWorkspaceRoleInput = z.object({ id: recordId, userId: recordId });
export type RevokeWorkspaceRoleInput = z.infer<typeof revokeWorkspaceRoleInput>;

/** A workspace role given to a whole team: every member holds it (the highest of theirs applies). */
export const grantWorkspaceTeamRoleInput = z.object({ id: recordId, teamId: recordId, role: workspaceRole });
export type GrantWorkspaceTeamRoleInput = z.infer<typeof grantWorkspaceTeamRoleInput>;

export const revokeWorkspaceTeamRoleInput = z.object({ id: recordId, teamId: recordId });
export type RevokeWorkspaceTeamRoleInput = z.infer<typeof revokeWorkspaceTeamRoleInput>;
