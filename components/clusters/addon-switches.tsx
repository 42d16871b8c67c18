'use client';

import { useId, useState } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Switch } from '@/components/ui/switch';
import type { AddonState, AddonStateView } from '@/lib/addons/addon-state';
import {
  ADDON_GROUP_LABELS,
  ADDON_GROUPS,
  type Addon,
  addonDefault,
  offeredAddons,
  overlapWarning,
} from '@/lib/addons/catalog';
import type { ProviderId } from '@/lib/providers';

const STATE_LABELS: Record<AddonState, { label: string; tone: BadgeTone }> = {
  off: { label: 'Off', tone: 'neutral' },
  'will-install': { label: 'Will install', tone: 'blue' },
  installed: { label: 'Installed', tone: 'green' },
  'provider-managed': { label: 'Provider-managed', tone: 'neutral' },
  conflict: { label: 'Conflict', tone: 'red' },
};

interface PendingChange {
  addon: Addon;
  enabled: boolean;
  title: string;
  message: string;
  confirmLabel: string;
}

export interface AddonSwitchesProps {
  provider: ProviderId;
  /** addon id → enabled, for every offered addon. */
  value: Record<string, boolean>;
  onChange: (next: Record<string, boolean>) => void;
  /** What the agent reports, per addon id (the cluster page); absent on the attach form. */
  reported?: readonly AddonStateView[];
  disabled?: boolean;
}

/**
 * One switch per addon offered on `provider`, grouped, each with what it does and why its
 * default is what it is. Turning off an essential addon, or turning on one the provider
 * already ships, asks first.
 */
export function AddonSwitches({ provider, value, onChange, reported, disabled }: AddonSwitchesProps) {
  const [pending, setPending] = useState<PendingChange | null>(null);
  const addons = offeredAddons(provider);
  const reportedById = new Map((reported ?? []).map((view) => [view.addonId, view]));

  function request(addon: Addon, enabled: boolean) {
    const overlap = overlapWarning(addon, provider);
    if (!enabled && addon.essentialWarning) {
      setPending({ addon, enabled, title: `Turn off ${addon.name}?`, message: addon.essentialWarning, confirmLabel: `Turn off ${addon.name}` });
    } else if (enabled && overlap) {
      setPending({
        addon,
        enabled,
        title: `Install ${addon.name} anyway?`,
        message: `${overlap} Turn it on only if you know the provider's copy is not installed.`,
        confirmLabel: `Turn on ${addon.name}`,
      });
    } else {
      onChange({ ...value, [addon.id]: enabled });
    }
  }

  return (
    <div className="space-y-5">
      {ADDON_GROUPS.map((group) => {
        const inGroup = addons.filter((addon) => addon.group === group);
        if (inGroup.length === 0) return null;
        return (
          <fieldset key={group} className="space-y-2">
            <legend className="mb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{ADDON_GROUP_LABELS[group]}</legend>
            <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {inGroup.map((addon) => (
                <AddonRow
                  key={addon.id}
                  addon={addon}
                  provider={provider}
                  enabled={value[addon.id] ?? addonDefault(addon, provider).enabled}
                  reported={reportedById.get(addon.id)}
                  disabled={disabled}
                  onRequest={(enabled) => request(addon, enabled)}
                />
              ))}
            </ul>
          </fieldset>
        );
      })}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.title ?? ''}
        description={pending?.message}
        confirmLabel={pending?.confirmLabel ?? 'Confirm'}
        destructive={pending ? !pending.enabled : false}
        onCancel={() => setPending(null)}
        onConfirm={() => {
          if (pending) onChange({ ...value, [pending.addon.id]: pending.enabled });
          setPending(null);
        }}
      />
    </div>
  );
}

function AddonRow({
  addon,
  provider,
  enabled,
  reported,
  disabled,
  onRequest,
}: {
  addon: Addon;
  provider: ProviderId;
  enabled: boolean;
  reported: AddonStateView | undefined;
  disabled: boolean | undefined;
  onRequest: (enabled: boolean) => void;
}) {
  const descriptionId = useId();
  const def = addonDefault(addon, provider);
  const state = reported ? STATE_LABELS[reported.state] : null;
  return (
    <li className="flex items-start justify-between gap-4 p-3">
      <div id={descriptionId} className="min-w-0 space-y-0.5">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
          <span aria-hidden>{addon.name}</span>
          {addon.essentialWarning && <Badge tone="blue">Essential</Badge>}
          {state && reported && (
            <Badge tone={state.tone}>
              <span className="sr-only">Reported: </span>
              {state.label}
            </Badge>
          )}
        </p>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">{addon.description}</p>
        <p className="text-xs text-zinc-500">
          Default {def.enabled ? 'on' : 'off'}: {def.reason}
        </p>
        {reported && reported.state !== 'off' && (
          <p className={reported.state === 'conflict' ? 'text-xs font-medium text-red-600 dark:text-red-400' : 'text-xs text-zinc-500'}>
            {reported.detail}
          </p>
        )}
        {!enabled && addon.essentialWarning && (
          <p role="status" className="text-xs font-medium text-amber-700 dark:text-amber-400">
            {addon.essentialWarning}
          </p>
        )}
      </div>
      <Switch label={addon.name} checked={enabled} disabled={disabled} describedBy={descriptionId} onChange={onRequest} />
    </li>
  );
}
