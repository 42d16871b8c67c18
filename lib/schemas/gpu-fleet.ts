/**
 * Inputs of the GPU Fleet page (`gpuFleet.*`): the per-cluster table's filters, sort and
 * page, which also live in the page's URL, and the clusters whose sparklines to draw.
 */
import { z } from 'zod';
import { PROVIDER_IDS } from '@/lib/providers';
import { MAX_PICKED, recordId, withoutNul } from '@/lib/schemas/limits';
import { SORT_DIRECTIONS } from '@/lib/schemas/cluster';

export const GPU_FLEET_SORT_COLUMNS = [
  'name',
  'provider',
  'environments',
  'total',
  'allocated',
  'idleAllocated',
  'free',
  'meanUtilization',
  'age',
] as const;
export type GpuFleetSortColumn = (typeof GPU_FLEET_SORT_COLUMNS)[number];

export const GPU_FLEET_PAGE_SIZES = [25, 50, 100] as const;
const MAX_PAGE = 1_000_000;
/** An environment name as a filter value (environment names are DNS labels). */
const environmentName = withoutNul(z.string().max(63, 'An environment name is at most 63 characters'));

export const gpuFleetOverviewInput = z.object({
  /** Environment names, as on the Clusters page, so a shared link reads well. */
  environments: z.array(environmentName).max(MAX_PICKED, `Choose at most ${MAX_PICKED} environments`).default([]),
  providers: z.array(z.enum(PROVIDER_IDS)).max(PROVIDER_IDS.length).default([]),
  sort: z.enum(GPU_FLEET_SORT_COLUMNS).default('name'),
  direction: z.enum(SORT_DIRECTIONS).default('asc'),
  /** 1-based. */
  page: z.number().int().positive().max(MAX_PAGE).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type GpuFleetOverviewInput = z.input<typeof gpuFleetOverviewInput>;
export type GpuFleetQuery = z.output<typeof gpuFleetOverviewInput>;

export const gpuFleetHistoryInput = z
  .object({
    /** The clusters whose own sparklines to return (a table page); all the caller may see when omitted. Pooled lines always cover them all. */
    clusterIds: z.array(recordId).max(MAX_PICKED, `Ask for at most ${MAX_PICKED} clusters`).optional(),
  })
  .default({});
export type GpuFleetHistoryInput = z.input<typeof gpuFleetHistoryInput>;
