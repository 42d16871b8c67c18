import { z } from 'zod';
import { recordId } from '@/lib/schemas/limits';

export const MAX_ENVIRONMENT_NAME = 32;

/** Environment names are tags: short, lower-case, readable in a chip. */
export const environmentName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(MAX_ENVIRONMENT_NAME, `Name must be at most ${MAX_ENVIRONMENT_NAME} characters`)
  .regex(/^[a-z][a-z0-9-]*$/, 'Use lower-case letters, digits and "-", starting with a letter');

export const environmentColor = z
  .string()
  .trim()
  .max(7, 'Colour must be a hex value like #22c55e')
  .regex(/^#[0-9a-fA-F]{6}$/, 'Colour must be a hex value like #22c55e')
  .transform((c) => c.toLowerCase());

export const OPTIMIZE_FOR = ['cost', 'availability'] as const;

export const environmentInput = z.object({
  name: environmentName,
  color: environmentColor,
  isProduction: z.boolean(),
  optimizeFor: z.enum(OPTIMIZE_FOR, 'Choose cost or availability'),
});
export type EnvironmentInput = z.infer<typeof environmentInput>;

export const updateEnvironmentInput = environmentInput.extend({ id: recordId });
export type UpdateEnvironmentInput = z.infer<typeof updateEnvironmentInput>;

export const environmentIdInput = z.object({ id: recordId });

/**
 * Deleting a production environment asks for its name to be typed (checked by the
 * server); other environments need no confirmName.
 */
export const deleteEnvironmentInput = environmentIdInput.extend({
  confirmName: z.string().trim().max(MAX_ENVIRONMENT_NAME, 'Type the environment name exactly to confirm').optional(),
});
export type DeleteEnvironmentInput = z.infer<typeof deleteEnvironmentInput>;

/** What "Optimise for" will mean, shown where it is chosen and listed. */
export const OPTIMIZE_FOR_LABELS: Record<(typeof OPTIMIZE_FOR)[number], string> = {
  cost: 'Cost',
  availability: 'Availability',
};
export const OPTIMIZE_FOR_NOTE =
  'Will drive placement advice (which cluster a workload should run on) in a later release; today it is recorded only.';

/** What a fresh install starts with (editable afterwards). */
export const DEFAULT_ENVIRONMENTS: readonly EnvironmentInput[] = [
  { name: 'dev', color: '#22c55e', isProduction: false, optimizeFor: 'cost' },
  { name: 'staging', color: '#f59e0b', isProduction: false, optimizeFor: 'cost' },
  { name: 'prod', color: '#ef4444', isProduction: true, optimizeFor: 'availability' },
];
