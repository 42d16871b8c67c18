import { cn } from '@/lib/cn';
import { readableTextColor } from '@/lib/color-contrast';

export interface EnvironmentChipProps {
  name: string;
  /** `#rrggbb`; any colour reads, as the text is black or white by contrast. */
  color: string;
  isProduction?: boolean;
  className?: string;
}

/**
 * An environment as it appears everywhere: a pill in the environment's colour with black
 * or white text (whichever contrasts more), an edge so a white or near-black colour still
 * shows on the page, and a "Production" badge on production environments so one is
 * never mistaken for a sandbox.
 */
export function EnvironmentChip({ name, color, isProduction, className }: EnvironmentChipProps) {
  return (
    <span className={cn('inline-flex max-w-full items-center gap-1 align-middle', className)} data-environment={name}>
      <span
        className="inline-flex min-w-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ring-zinc-900/15 dark:ring-white/25"
        style={{ backgroundColor: color, color: readableTextColor(color) }}
        title={name}
      >
        <span className="truncate">{name}</span>
      </span>
      {isProduction && <ProductionBadge />}
    </span>
  );
}

/** The marker on production environments and on what carries one (clusters, workspaces). */
export function ProductionBadge({ className }: { className?: string }) {
  return (
    <span
      className={cn(
        'inline-flex shrink-0 items-center rounded-sm border border-red-700 px-1 py-px text-[0.625rem] font-semibold uppercase leading-tight tracking-wide text-red-700',
        'dark:border-red-400 dark:text-red-300',
        className,
      )}
      title="Production: destructive actions ask for the name to be typed"
    >
      Production
    </span>
  );
}
