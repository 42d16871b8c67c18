'use client';

import { useId } from 'react';
import { CopyButton } from '@/components/ui/copy-button';
import type { InstallInstructions } from '@/server/services/clusters/install';

/**
 * The cluster token, in a read-only field with a copy button. It exists only in the
 * response that minted it: nothing here stores it, so a reload loses it for good.
 */
export function ClusterTokenReveal({ token }: { token: string }) {
  const id = useId();
  return (
    <div className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
      <label htmlFor={id} className="block text-sm font-medium">
        Cluster token
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          readOnly
          value={token}
          aria-describedby={`${id}-hint`}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
        />
        <CopyButton text={token} label="Copy cluster token" />
      </div>
      <p id={`${id}-hint`} className="text-xs text-amber-900 dark:text-amber-200">
        Shown once. Fleetdeck keeps only a hash: copy it now. If it is lost, rotate the token on the cluster page.
      </p>
    </div>
  );
}

/** A command with its title and its own copy button. */
function CommandBlock({ title, command, number }: { title: string; command: string; number?: number }) {
  return (
    <>
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm font-medium">
          {number !== undefined && `${number}. `}
          {title}
        </p>
        <CopyButton text={command} label={`Copy: ${title}`} />
      </div>
      <pre tabIndex={0} className="max-h-64 overflow-auto rounded-md bg-zinc-900 p-3 text-xs leading-relaxed text-zinc-100">
        <code>{command}</code>
      </pre>
    </>
  );
}

/**
 * The commands to run in the cluster, each with its own copy button; first a warning
 * when the URL agents would dial looks unreachable from a cluster elsewhere.
 */
export function InstallCommands({ install }: { install: InstallInstructions }) {
  return (
    <div className="space-y-4">
      {install.reachabilityWarning && (
        <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p className="font-medium">The cluster may not reach this control plane</p>
          <p className="mt-1 break-words">{install.reachabilityWarning}</p>
        </div>
      )}
      <ol className="space-y-4">
        {install.commands.map((step, index) => (
          <li key={step.id} className="space-y-1">
            <CommandBlock number={index + 1} title={step.title} command={step.command} />
          </li>
        ))}
      </ol>
      <p className="text-xs text-zinc-500 break-words">
        The chart is served by this control plane: <code>{install.chartUrl}</code> (helm repository{' '}
        <code>{install.chartUrl.slice(0, install.chartUrl.lastIndexOf('/'))}</code>).
      </p>
    </div>
  );
}

/** What removes the agent from a cluster, for the detach dialog. */
export function UninstallCommands({ commands }: { commands: { helm: string; manifests: string } }) {
  return (
    <div className="mt-3 space-y-2">
      <CommandBlock title="Installed with Helm" command={commands.helm} />
      <CommandBlock title="Installed from the plain manifests" command={commands.manifests} />
    </div>
  );
}
