import { CopyButton } from '@/components/ui/copy-button';
import { cn } from '@/lib/cn';
import type { PrerequisiteStatus, TickedPrerequisite } from '@/lib/prerequisites';

const STATUS: Record<PrerequisiteStatus, { icon: string; label: string; className: string }> = {
  pass: { icon: '✓', label: 'Verified by the agent', className: 'bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300' },
  fail: { icon: '✕', label: 'Failed the agent’s check', className: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300' },
  unknown: { icon: '?', label: 'Not verified yet', className: 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300' },
  pending: { icon: '…', label: 'Checked once the agent connects', className: 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300' },
  manual: { icon: '•', label: 'Check by hand', className: 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300' },
};

/** The cluster-side checklist; the agent's preflight ticks items off as it reports. */
export function PrerequisitesChecklist({ items, title = 'Prerequisites' }: { items: readonly TickedPrerequisite[]; title?: string }) {
  return (
    <section aria-labelledby="prerequisites-title" className="space-y-3">
      <h2 id="prerequisites-title" className="text-sm font-semibold">
        {title}
      </h2>
      <ul className="space-y-3">
        {items.map((item) => {
          const status = STATUS[item.status];
          return (
            <li key={item.id} className="flex gap-3">
              <span
                aria-hidden
                className={cn('mt-0.5 grid size-5 shrink-0 place-items-center rounded-full text-xs font-bold', status.className)}
              >
                {status.icon}
              </span>
              <div className="min-w-0 space-y-1 text-sm">
                <p className="font-medium">
                  {item.title} <span className="sr-only">({status.label})</span>
                </p>
                <p className="text-xs text-zinc-600 dark:text-zinc-400">{item.detail}</p>
                {item.hosts && (
                  <ul className="flex flex-wrap gap-1" aria-label="Registry hosts">
                    {item.hosts.map((host) => (
                      <li key={host}>
                        <code className="rounded bg-zinc-100 px-1 py-0.5 text-xs dark:bg-zinc-800">{host}</code>
                      </li>
                    ))}
                  </ul>
                )}
                {item.examples?.map((example) => (
                  <pre key={example} className="rounded bg-zinc-900 px-2 py-1 text-xs break-all whitespace-pre-wrap text-zinc-100">
                    <code>{example}</code>
                  </pre>
                ))}
                {item.fixes && item.fixes.length > 0 && (
                  <div className="space-y-2 pt-1">
                    <p className="text-xs font-medium">Fix: run this against the cluster</p>
                    {item.fixes.map((fix) => (
                      <div key={fix.command} className="space-y-1">
                        <div className="flex items-start gap-2">
                          <pre className="min-w-0 flex-1 rounded bg-zinc-900 px-2 py-1 text-xs break-all whitespace-pre-wrap text-zinc-100">
                            <code>{fix.command}</code>
                          </pre>
                          <CopyButton text={fix.command} label="Copy the kubectl label command" />
                        </div>
                        <p className="text-xs text-zinc-600 dark:text-zinc-400">{fix.note}</p>
                      </div>
                    ))}
                  </div>
                )}
                {item.findings.map((finding) => (
                  <p key={finding} className={cn('text-xs', item.status === 'fail' ? 'font-medium text-red-700 dark:text-red-400' : 'text-zinc-500')}>
                    Agent: {finding}
                  </p>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
