/**
 * What happens to the addon switches a user set on the attach form when they pick
 * another provider: every choice the new provider allows is kept, and each one it does
 * not is named with the reason, so nothing is dropped silently.
 */
import { addonDefault, findAddon, isOfferedOn, overlapWarning } from '@/lib/addons/catalog';
import { PROVIDERS, type ProviderId } from '@/lib/providers';

export interface AddonCarryOver {
  /** The choices that still apply on the new provider. */
  kept: Record<string, boolean>;
  /** One sentence per choice that could not follow, e.g. "Karpenter (on) is not offered on CoreWeave CKS." */
  notes: string[];
}

/**
 * `choices` holds the switches as set on provider `from` (the switches hand back every
 * addon); only those set away from `from`'s default are the user's own choices, and only
 * those follow to `to`. The rest take `to`'s defaults, as if the user had started there.
 */
export function carryAddonChoices(choices: Record<string, boolean>, from: ProviderId, to: ProviderId): AddonCarryOver {
  const kept: Record<string, boolean> = {};
  const notes: string[] = [];
  const providerName = PROVIDERS[to].label;
  for (const [id, enabled] of Object.entries(choices)) {
    const addon = findAddon(id);
    if (!addon || (isOfferedOn(addon, from) && addonDefault(addon, from).enabled === enabled)) continue;
    const state = enabled ? 'on' : 'off';
    if (!isOfferedOn(addon, to)) {
      notes.push(`${addon.name} (${state}) is not offered on ${providerName}.`);
    } else if (enabled && overlapWarning(addon, to)) {
      // Turning it on there needs the overlap confirmation: it is not done behind the user's back.
      notes.push(`${addon.name} was not turned on: ${providerName} ships its own. Turn it on below if you need it anyway.`);
    } else {
      kept[id] = enabled;
    }
  }
  return { kept, notes };
}
