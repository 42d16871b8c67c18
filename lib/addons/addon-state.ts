/**
 * Desired addons (what the admin chose) against reported components (what the agent
 * found running): one view per offered addon. The cluster page shows it, and the agent
 * gateway marks a cluster Degraded when any addon is in `conflict`.
 */
import { addonDefault, offeredAddons, overlapWarning } from '@/lib/addons/catalog';
import type { DetectedComponent } from '@/lib/agent-protocol';
import type { ProviderId } from '@/lib/providers';

export type AddonState = 'off' | 'will-install' | 'installed' | 'provider-managed' | 'conflict';

export interface AddonStateView {
  addonId: string;
  /** Display name from the catalog. */
  name: string;
  /** Desired: the admin's choice, or the provider default when none was stored. */
  enabled: boolean;
  /**
   * - `off`: not wanted and not found running.
   * - `will-install`: wanted, not (yet) found running.
   * - `installed`: found running and carrying Fleetdeck's managed-by label.
   * - `provider-managed`: found running, installed by someone else, and not wanted here.
   * - `conflict`: wanted here, but already running and not managed by Fleetdeck: a second install.
   */
  state: AddonState;
  /** One human line explaining the state. */
  detail: string;
}

/**
 * @param detected the agent's reported components, or null before its first snapshot
 *   (then nothing can be installed or in conflict yet).
 */
export function resolveAddonStates(
  provider: ProviderId,
  desired: Record<string, boolean>,
  detected: DetectedComponent[] | null,
): AddonStateView[] {
  const detectedById = new Map<string, DetectedComponent>((detected ?? []).map((component) => [component.id, component]));
  return offeredAddons(provider).map((addon) => {
    const enabled = desired[addon.id] ?? addonDefault(addon, provider).enabled;
    const base = { addonId: addon.id, name: addon.name, enabled };
    const found = detectedById.get(addon.id);

    if (!found) {
      if (!enabled) return { ...base, state: 'off', detail: 'Not installed.' };
      return {
        ...base,
        state: 'will-install',
        detail: detected === null ? 'Installs once the agent has connected.' : 'Not found in the cluster yet; Fleetdeck installs it.',
      };
    }
    if (found.managedByFleetdeck) {
      return {
        ...base,
        state: 'installed',
        detail: enabled ? `Installed by Fleetdeck (${found.evidence}).` : `Installed by Fleetdeck, now turned off (${found.evidence}).`,
      };
    }
    if (!enabled) {
      return { ...base, state: 'provider-managed', detail: `Already running, not installed by Fleetdeck (${found.evidence}).` };
    }
    const overlap = overlapWarning(addon, provider);
    return {
      ...base,
      state: 'conflict',
      detail: `Turned on here but already running outside Fleetdeck (${found.evidence}): turn it off to avoid a second install.${overlap ? ` ${overlap}` : ''}`,
    };
  });
}

/** The human reasons a cluster is Degraded because of addons (empty when none conflict). */
export function addonConflictReasons(states: readonly AddonStateView[]): string[] {
  return states.filter((view) => view.state === 'conflict').map((view) => `${view.name}: ${view.detail}`);
}
