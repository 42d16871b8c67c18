'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useSearchBox, usePageCorrection } from '@/components/ui/use-url-list';
import { countOf, formatInstant, timeAgo } from '@/components/clusters/format';
import { NODES_PAGE_SIZE, nodesQueryString, parseNodesQuery, type NodesQuery } from '@/components/clusters/nodes-query';
import { useClusterDetail } from '@/components/clusters/use-cluster-detail';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/use-live-clusters';
import type { NodeCondition } from '@/lib/agent-protocol';
import { cn } from '@/lib/cn';
import { MAX_NODE_SEARCH, NODE_READINESS, NODE_READINESS_LABELS } from '@/lib/schemas/nodes';

type ClusterNode = RouterOutputs['clusters']['nodes']['nodes'][number];


/**
 * Every node of the cluster, for on-call: NotReady first, with pool, GPUs, conditions,
 * taints, Ready since and kubelet version. Searched, filtered and paged on the server
 * (clusters can hold thousands of nodes); the view lives in the URL.
 */
export function ClusterNodesTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const query = parseNodesQuery(new URLSearchParams(params.toString()));
  const { data: detail } = useClusterDetail(name);
  const nodes = useQuery(
    trpc.clusters.nodes.queryOptions(
      { name, search: query.search, readiness: query.readiness, page: query.page, pageSize: NODES_PAGE_SIZE },
      { refetchInterval: LIVE_FALLBACK_POLL_MS, placeholderData: keepPreviousData },
    ),
  );

  // Filter and page changes each add a history entry, so Back steps back through them.
  const navigate = (next: NodesQuery) => router.push(`${pathname}${nodesQueryString(next)}`, { scroll: false });

  const replaceQuery = (next: NodesQuery) => router.replace(`${pathname}${nodesQueryString(next)}`, { scroll: false });
  const [searchText, setSearchText] = useSearchBox(query.search, (search) => replaceQuery({ ...query, search, page: 1 }));
  usePageCorrection(nodes.data?.page, query.page, !nodes.isPlaceholderData, (page) => replaceQuery({ ...query, page }));

  const stale = detail?.nodesStale ?? false;

  return (
    <section aria-labelledby="nodes-title" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="nodes-title" className="text-sm font-semibold">
          Nodes
        </h2>
        {stale && <Badge tone="amber">Stale: last known before the agent disconnected</Badge>}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label className="min-w-0 flex-1 text-sm sm:max-w-xs">
          <span className="mb-1 block font-medium">Search nodes</span>
          <input
            type="search"
            value={searchText}
            maxLength={MAX_NODE_SEARCH}
            placeholder="Name, pool or GPU type"
            onChange={(e) => setSearchText(e.target.value)}
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <fieldset className="flex flex-wrap gap-1">
          <legend className="sr-only">Readiness</legend>
          {NODE_READINESS.map((readiness) => {
            const count = nodes.data?.counts[readiness];
            const active = query.readiness === readiness;
            return (
              <Button
                key={readiness}
                size="sm"
                variant={active ? 'primary' : 'secondary'}
                aria-pressed={active}
                onClick={() => navigate({ ...query, readiness, page: 1 })}
              >
                {NODE_READINESS_LABELS[readiness]}
                {count !== undefined && <span className="ml-1 tabular-nums opacity-80">({count.toLocaleString('en-US')})</span>}
              </Button>
            );
          })}
        </fieldset>
      </div>

      {nodes.isPending ? (
        <LoadingState label="Loading nodes…" />
      ) : nodes.isError ? (
        <ErrorState error={nodes.error} onRetry={() => nodes.refetch()} />
      ) : nodes.data.total === 0 ? (
        nodes.data.counts.all === 0 && !query.search ? (
          <EmptyState title="No nodes reported">{detail?.missingNodesReason ?? 'The agent has reported no nodes for this cluster yet.'}</EmptyState>
        ) : (
          <EmptyState title="No node matches">
            <Button variant="secondary" size="sm" onClick={() => navigate({ search: '', readiness: 'all', page: 1 })}>
              Clear search and filter
            </Button>
          </EmptyState>
        )
      ) : (
        <>
          <DataTable label="Nodes" columns={NODE_COLUMNS} rows={nodes.data.nodes} rowKey={(node) => node.name} />
          <nav aria-label="Pages of nodes" className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span className="text-zinc-600 dark:text-zinc-400">{countOf(nodes.data.total, 'node')}</span>
            <div className="flex items-center gap-2">
              <Button variant="secondary" size="sm" disabled={nodes.data.page <= 1} onClick={() => navigate({ ...query, page: nodes.data.page - 1 })}>
                Previous
              </Button>
              <span aria-live="polite">
                Page {nodes.data.page} of {nodes.data.pageCount}
              </span>
              <Button
                variant="secondary"
                size="sm"
                disabled={nodes.data.page >= nodes.data.pageCount}
                onClick={() => navigate({ ...query, page: nodes.data.page + 1 })}
              >
                Next
              </Button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}

/** Ready is healthy when True; every other kubelet condition (the pressures) when False. */
function isHealthy(condition: NodeCondition): boolean {
  return condition.type === 'Ready' ? condition.status === 'True' : condition.status === 'False';
}

function conditionTitle(condition: NodeCondition): string {
  const parts = [`${condition.type}: ${condition.status}`];
  if (condition.reason) parts.push(condition.reason);
  if (condition.message) parts.push(condition.message);
  if (condition.since) parts.push(`since ${formatInstant(new Date(condition.since))}`);
  return parts.join(' · ');
}

function Conditions({ conditions }: { conditions: NodeCondition[] }) {
  if (conditions.length === 0) return <span className="text-zinc-500">not reported</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Conditions">
      {conditions.map((condition) => {
        const healthy = isHealthy(condition);
        return (
          <li
            key={condition.type}
            title={conditionTitle(condition)}
            className={cn(
              'rounded px-1.5 py-0.5 text-xs',
              healthy ? 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300' : 'bg-amber-100 font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200',
            )}
          >
            {condition.type}={condition.status}
            {!healthy && condition.reason ? ` (${condition.reason})` : ''}
          </li>
        );
      })}
    </ul>
  );
}

function Taints({ taints }: { taints: ClusterNode['taints'] }) {
  if (taints.length === 0) return <span className="text-zinc-500">none</span>;
  return (
    <ul className="space-y-0.5" aria-label="Taints">
      {taints.map((taint) => {
        const text = `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
        return (
          <li key={text}>
            <code className="text-xs break-all">{text}</code>
          </li>
        );
      })}
    </ul>
  );
}

function ReadySince({ node }: { node: ClusterNode }) {
  if (node.ready) {
    if (!node.readySince) return <span className="text-zinc-500">not reported</span>;
    return <span title={formatInstant(node.readySince)}>{timeAgo(node.readySince)}</span>;
  }
  const since = node.conditions.find((condition) => condition.type === 'Ready')?.since;
  return (
    <span className="font-medium text-amber-700 dark:text-amber-400" title={since ? formatInstant(new Date(since)) : undefined}>
      NotReady{since ? ` for ${timeAgo(new Date(since)).replace(/ ago$/, '')}` : ''}
    </span>
  );
}

const NODE_COLUMNS: Column<ClusterNode>[] = [
  { id: 'name', header: 'Name', cell: (node) => node.name },
  {
    id: 'status',
    header: 'Status',
    cell: (node) => (node.ready ? <Badge tone="green">Ready</Badge> : <Badge tone="amber">NotReady</Badge>),
  },
  { id: 'pool', header: 'Node pool', cell: (node) => node.nodePool ?? <span className="text-zinc-500">unlabelled</span> },
  {
    id: 'gpus',
    header: 'GPUs',
    cell: (node) =>
      node.gpuCount === 0 ? <span className="text-zinc-500">none</span> : `${node.gpuType ?? 'unlabelled'} × ${node.gpuCount}`,
  },
  { id: 'conditions', header: 'Conditions', cell: (node) => <Conditions conditions={node.conditions} /> },
  { id: 'taints', header: 'Taints', cell: (node) => <Taints taints={node.taints} /> },
  { id: 'readySince', header: 'Ready since', cell: (node) => <ReadySince node={node} /> },
  { id: 'kubelet', header: 'Kubelet', cell: (node) => node.kubeletVersion ?? <span className="text-zinc-500">not reported</span> },
];
