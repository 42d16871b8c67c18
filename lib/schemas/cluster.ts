/**
 * Cluster inputs, shared by the attach form and the clusters router: one schema drives
 * both the browser's checks and the server's parse.
 */
import { z } from 'zod';
import { unofferedEnabledAddonIds } from '@/lib/addons/catalog';
import type { ClusterStatus } from '@/lib/cluster-status';
import { PROVIDER_IDS } from '@/lib/providers';

export const DEFAULT_PROMETHEUS_URL = 'http://prometheus-operated.prometheus.svc.cluster.local:9090';
export const DEFAULT_NODE_POOL_LABEL = 'fleetdeck.io/node-pool';
export const DEFAULT_GPU_TYPE_LABEL = 'fleetdeck.io/gpu-type';

export const CLUSTER_STATUSES = ['awaiting_agent', 'connected', 'degraded', 'disconnected'] as const satisfies readonly ClusterStatus[];

export const CLUSTER_STATUS_LABELS: Record<ClusterStatus, string> = {
  awaiting_agent: 'Awaiting agent',
  connected: 'Connected',
  degraded: 'Degraded',
  disconnected: 'Disconnected',
};

// ── Fields ──────────────────────────────────────────────────────────────────

export const clusterName = z
  .string()
  .trim()
  .min(3, 'Cluster name must be at least 3 characters')
  .max(35, 'Cluster name must be at most 35 characters')
  .regex(/^[a-z]/, 'Cluster name must start with a lower-case letter')
  .regex(/^[a-z0-9-]*$/, 'Use only lower-case letters, digits and "-"');

export const providerId = z.enum(PROVIDER_IDS, 'Choose a provider');

export const region = z
  .string()
  .trim()
  .min(1, 'Region is required')
  .max(64, 'Region must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, "-", "_" or "." (e.g. us-east-1)');

export const environmentIds = z
  .array(z.number().int().positive())
  .min(1, 'Choose at least one environment')
  .transform((ids) => [...new Set(ids)]);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `domain` is not a plain host or a `*.` wildcard of one, or null when it is fine. */
export function baseDomainProblem(domain: string): string | null {
  const host = domain.startsWith('*.') ? domain.slice(2) : domain;
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) {
    return `"${domain}" is not a valid domain: use a host like apps.example.com or a wildcard like *.apps.example.com`;
  }
  return null;
}

export const baseDomains = z
  .array(z.string().trim().toLowerCase())
  .max(20, 'At most 20 base domains')
  .superRefine((domains, ctx) => {
    for (const domain of domains) {
      const problem = baseDomainProblem(domain);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
    const duplicate = domains.find((domain, i) => domains.indexOf(domain) !== i);
    if (duplicate) ctx.addIssue({ code: 'custom', message: `"${duplicate}" is listed twice` });
  });

/** The form's text box takes domains separated by commas, spaces or new lines. */
export function parseBaseDomainsText(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((domain) => domain.trim())
    .filter((domain) => domain.length > 0);
}

export const prometheusUrl = z.url({
  protocol: /^https?$/,
  error: 'Enter an http(s) URL, e.g. ' + DEFAULT_PROMETHEUS_URL,
});

const LABEL_PREFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Why `key` is not a Kubernetes label key, or null when it is. The rule, from the
 * Kubernetes docs on labels: an optional DNS-subdomain prefix (≤ 253) and `/`, then a
 * name of ≤ 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
 */
export function labelKeyProblem(key: string): string | null {
  if (key.length === 0) return 'Label key is required';
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null) {
    if (prefix.length === 0 || prefix.length > 253 || !LABEL_PREFIX.test(prefix)) {
      return 'The prefix before "/" must be a lower-case DNS subdomain, e.g. fleetdeck.io';
    }
  }
  if (name.length === 0) return 'Add a name after the "/", e.g. fleetdeck.io/node-pool';
  if (name.length > 63) return 'The name part of a label key must be at most 63 characters';
  if (!LABEL_NAME.test(name)) {
    return 'The name part may hold letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  }
  return null;
}

export const labelKey = z
  .string()
  .trim()
  .superRefine((key, ctx) => {
    const problem = labelKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const addonChoice = z.record(z.string(), z.boolean());

// ── Procedure inputs ────────────────────────────────────────────────────────

export const attachClusterInput = z
  .object({
    name: clusterName,
    provider: providerId,
    region,
    environmentIds,
    baseDomains: baseDomains.default([]),
    prometheusUrl: prometheusUrl.default(DEFAULT_PROMETHEUS_URL),
    nodePoolLabel: labelKey.default(DEFAULT_NODE_POOL_LABEL),
    gpuTypeLabel: labelKey.default(DEFAULT_GPU_TYPE_LABEL),
    /** Missing ids take the provider's default. */
    addons: addonChoice.default({}),
  })
  .superRefine((input, ctx) => {
    if (input.nodePoolLabel === input.gpuTypeLabel) {
      ctx.addIssue({ code: 'custom', path: ['gpuTypeLabel'], message: 'Use a different key from the node pool label' });
    }
    const unoffered = unofferedEnabledAddonIds(input.provider, input.addons);
    if (unoffered.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['addons'], message: `Not offered on this provider: ${unoffered.join(', ')}` });
    }
  });
/** What the form holds (defaults not yet applied). */
export type AttachClusterFormValues = z.input<typeof attachClusterInput>;
export type AttachClusterInput = z.output<typeof attachClusterInput>;

/** Clusters are addressed by name: it is unique, immutable and what URLs carry. */
export const clusterRef = z.object({ name: z.string().trim().min(1, 'Cluster name is required') });
export type ClusterRef = z.infer<typeof clusterRef>;

export const rotateClusterTokenInput = clusterRef;
export type RotateClusterTokenInput = z.infer<typeof rotateClusterTokenInput>;

export const updateClusterEnvironmentsInput = clusterRef.extend({ environmentIds });
export type UpdateClusterEnvironmentsInput = z.output<typeof updateClusterEnvironmentsInput>;

export const updateClusterAddonsInput = clusterRef.extend({ addons: addonChoice });
export type UpdateClusterAddonsInput = z.infer<typeof updateClusterAddonsInput>;

export const detachClusterInput = clusterRef
  .extend({ confirmName: z.string().trim() })
  .refine((input) => input.confirmName === input.name, {
    path: ['confirmName'],
    message: 'Type the cluster name exactly to confirm',
  });
export type DetachClusterInput = z.infer<typeof detachClusterInput>;

// ── Fleet list ──────────────────────────────────────────────────────────────

export const CLUSTER_SORT_COLUMNS = [
  'name',
  'provider',
  'region',
  'environments',
  'status',
  'lastSeenAt',
  'kubernetesVersion',
  'nodeCount',
  'gpuCount',
  'createdAt',
] as const;
export type ClusterSortColumn = (typeof CLUSTER_SORT_COLUMNS)[number];

export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export const FLEET_PAGE_SIZES = [25, 50, 100] as const;

export const listClustersInput = z.object({
  /** Environment names (names, not ids, so a shared link reads well and survives re-seeding). */
  environments: z.array(z.string()).default([]),
  providers: z.array(providerId).default([]),
  statuses: z.array(z.enum(CLUSTER_STATUSES)).default([]),
  regions: z.array(z.string()).default([]),
  /** Substring of the cluster name. */
  search: z.string().trim().max(100).default(''),
  sort: z.enum(CLUSTER_SORT_COLUMNS).default('name'),
  direction: z.enum(SORT_DIRECTIONS).default('asc'),
  /** 1-based. */
  page: z.number().int().positive().default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type ListClustersInput = z.input<typeof listClustersInput>;
export type ListClustersQuery = z.output<typeof listClustersInput>;


