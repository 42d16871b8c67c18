/** One card per GPU type: pooled capacity, its 24-hour allocation line, and where some are free. */
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import type { RouterOutputs } from '@/components/trpc/types';
import { formatAge, formatUtilization } from './format';
import { seriesSummary, Sparkline } from './sparkline';

type Pool = RouterOutputs['gpuFleet']['overview']['pools'][number];
type TypeHistory = RouterOutputs['gpuFleet']['history']['byType'][number];

export function GpuTypeCards({ pools, history }: { pools: Pool[]; history: TypeHistory[] | undefined }) {
  return (
    <section aria-labelledby="gpu-types-title" className="mb-6">
      <h2 id="gpu-types-title" className="mb-3 text-sm font-semibold">
        By GPU type <span className="font-normal text-zinc-500">· pooled across clusters</span>
      </h2>
      <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
        {pools.map((pool) => (
          <GpuTypeCard key={pool.model} pool={pool} points={history?.find((h) => h.model === pool.model)?.points} />
        ))}
      </ul>
    </section>
  );
}

function GpuTypeCard({ pool, points }: { pool: Pool; points: TypeHistory['points'] | undefined }) {
  const withFree = pool.holders.filter((holder) => holder.free > 0);
  const allocated = points?.map((p) => p.allocated) ?? [];
  return (
    <li aria-label={`${pool.model} GPUs`} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h3 className="truncate text-base font-semibold" title={pool.model}>
          {pool.model}
        </h3>
        <span className="text-xs text-zinc-500">
          {pool.clusterCount} cluster{pool.clusterCount === 1 ? '' : 's'}
        </span>
      </div>
      <dl className="grid grid-cols-5 gap-1 text-center">
        <Figure label="Total" value={pool.total} />
        <Figure label="Allocated" value={pool.allocated} />
        <Figure label="Idle" value={pool.idleAllocated} tone={pool.idleAllocated > 0 ? 'warn' : undefined} />
        <Figure label="Free" value={pool.free} tone={pool.free > 0 ? 'ok' : undefined} />
        <Figure label="Util" value={formatUtilization(pool.meanUtilization)} />
      </dl>
      <div className="mt-3 flex items-center gap-2 text-xs text-zinc-500">
        <Sparkline values={allocated} max={pool.total} label={`${pool.model} allocated over 24 h: ${seriesSummary(allocated)}`} />
        <span>allocated, 24 h</span>
      </div>
      <div className="mt-3 text-sm">
        <p className="mb-1 text-xs font-medium text-zinc-500">Free now</p>
        {withFree.length === 0 ? (
          <p className="text-xs text-zinc-500">None free in any cluster.</p>
        ) : (
          <ul className="space-y-0.5">
            {withFree.slice(0, 5).map((holder) => (
              <li key={`${holder.clusterId}/${holder.nodePool}`} className="flex items-center justify-between gap-2">
                <span className="min-w-0 truncate">
                  <Link href={`/clusters/${encodeURIComponent(holder.clusterName)}/nodes`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                    {holder.clusterName}
                  </Link>
                  <span className="text-zinc-500"> / {holder.nodePool}</span>
                </span>
                <span className="flex shrink-0 items-center gap-1 tabular-nums">
                  {holder.stale && <Badge tone="amber">stale · {formatAge(holder.ageSeconds)}</Badge>}
                  {holder.free} free
                </span>
              </li>
            ))}
          </ul>
        )}
        {pool.holderCount > pool.holders.length && <p className="mt-1 text-xs text-zinc-500">{pool.holderCount} node pools hold {pool.model}; the ones with most free are listed.</p>}
      </div>
    </li>
  );
}

function Figure({ label, value, tone }: { label: string; value: number | string; tone?: 'ok' | 'warn' }) {
  const color = tone === 'warn' ? 'text-amber-700 dark:text-amber-400' : tone === 'ok' ? 'text-green-700 dark:text-green-400' : '';
  return (
    <div>
      <dt className="text-[11px] text-zinc-500">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${color}`}>{typeof value === 'number' ? value.toLocaleString('en-US') : value}</dd>
    </div>
  );
}
