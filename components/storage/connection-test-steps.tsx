'use client';
/** A connection test's steps, each ✓ or ✗ with the storage's answer in plain words; steps not run are said so. */
import { formatInstant } from '@/lib/format-time';
import { type ConnectionTestResult, PROBE_STEPS, type ProbeStep } from '@/lib/storage';

const STEP_LABELS: Record<ProbeStep, string> = { write: 'Write a probe object', read: 'Read it back', delete: 'Delete it' };

export function ConnectionTestSteps({ result }: { result: ConnectionTestResult }) {
  return (
    <div className="space-y-2">
      <ol className="space-y-1.5" aria-label="Connection test steps">
        {PROBE_STEPS.map((step) => {
          const outcome = result.steps.find((s) => s.step === step);
          return (
            <li key={step} data-step={step} className="flex items-start gap-2 text-sm">
              <span
                aria-hidden
                className={
                  outcome === undefined ? 'text-zinc-400' : outcome.ok ? 'text-green-600 dark:text-green-400' : 'text-red-600 dark:text-red-400'
                }
              >
                {outcome === undefined ? '–' : outcome.ok ? '✓' : '✗'}
              </span>
              <span className="min-w-0">
                <span className="font-medium">
                  {STEP_LABELS[step]}
                  <span className="sr-only">{outcome === undefined ? ': not run' : outcome.ok ? ': passed' : ': failed'}</span>
                </span>
                <span className="block break-words text-zinc-600 dark:text-zinc-400">
                  {outcome?.message ?? 'Not run: an earlier step failed'}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        {result.ok ? 'Passed' : 'Failed'} at <time dateTime={result.at}>{formatInstant(new Date(result.at))}</time>
      </p>
    </div>
  );
}
