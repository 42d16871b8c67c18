/**
 * Cluster inputs, shared by the attach form and the clusters router: one schema drives
 * both the browser's checks and the server's parse.
 */
import { z } from 'zod';
import { unofferedEnabledAddonIds } from '@/lib/addons/catalog';
import { CLUSTER_SORT_COLUMNS, CLUSTER_STATUSES } from '@/lib/cluster-fleet';
import { PROVIDER_IDS } from '@/lib/providers';
import { MAX_HOST, MAX_LABEL_KEY, MAX_NAME, MAX_PICKED, MAX_QUOTED, MAX_URL, quoted, recordId, withoutNul } from '@/lib/schemas/limits';

export const DEFAULT_PROMETHEUS_URL = 'http://prometheus-operated.prometheus.svc.cluster.local:9090';
export const DEFAULT_NODE_POOL_LABEL = 'fleetdeck.io/node-pool';
export const DEFAULT_GPU_TYPE_LABEL = 'fleetdeck.io/gpu-type';

// Defined without zod, for the fleet page's first load (lib/cluster-fleet.ts).
export { CLUSTER_SORT_COLUMNS, CLUSTER_STATUS_LABELS, CLUSTER_STATUSES, FLEET_PAGE_SIZES, type ClusterSortColumn } from '@/lib/cluster-fleet';

// ── Fields ──────────────────────────────────────────────────────────────────

export const MIN_CLUSTER_NAME = 3;
/** Leaves room in the 63-character DNS label for the names derived from it. */
export const MAX_CLUSTER_NAME = 35;
/** The rule in words, for the attach form's hint. */
export const CLUSTER_NAME_RULE = `${MIN_CLUSTER_NAME}–${MAX_CLUSTER_NAME} characters: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit. Unique.`;

/**
 * A cluster name is a Kubernetes DNS-1123 label (RFC 1123: lower-case alphanumerics and
 * "-", starting and ending alphanumeric), as the rendered manifests carry it as a label
 * value; Fleetdeck also asks it to start with a letter and keeps it short.
 */
export const clusterName = z
  .string()
  .trim()
  .min(MIN_CLUSTER_NAME, `Cluster name must be at least ${MIN_CLUSTER_NAME} characters`)
  .max(MAX_CLUSTER_NAME, `Cluster name must be at most ${MAX_CLUSTER_NAME} characters`)
  .regex(/^[a-z]/, 'Cluster name must start with a lower-case letter')
  .regex(/^[a-z0-9-]*$/, 'Use only lower-case letters, digits and "-"')
  .regex(/[a-z0-9]$/, 'Cluster name must end with a letter or digit (it becomes a Kubernetes label value)');

export const providerId = z.enum(PROVIDER_IDS, 'Choose a provider');

const MAX_REGION = 64;

export const region = z
  .string()
  .trim()
  .min(1, 'Region is required')
  .max(MAX_REGION, `Region must be at most ${MAX_REGION} characters`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, "-", "_" or "." (e.g. us-east-1)');

export const environmentIds = z
  .array(recordId)
  .min(1, 'Choose at least one environment')
  .max(MAX_PICKED, `Choose at most ${MAX_PICKED} environments`)
  .transform((ids) => [...new Set(ids)]);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `domain` is not a plain host or a `*.` wildcard of one, or null when it is fine. */
export function baseDomainProblem(domain: string): string | null {
  const host = domain.startsWith('*.') ? domain.slice(2) : domain;
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) {
    return `${quoted(domain)} is not a valid domain: use a host like apps.example.com or a wildcard like *.apps.example.com`;
  }
  return null;
}

/** A host, or `*.` and a host. */
const MAX_BASE_DOMAIN = MAX_HOST + 2;
export const MAX_BASE_DOMAINS = 20;

export const baseDomains = z
  .array(z.string().trim().max(MAX_BASE_DOMAIN, `A base domain must be at most ${MAX_HOST} characters`).toLowerCase())
  .max(MAX_BASE_DOMAINS, `At most ${MAX_BASE_DOMAINS} base domains`)
  .superRefine((all, ctx) => {
    // An oversized one is already refused by its length: its text is not echoed back.
    const domains = all.filter((domain) => domain.length <= MAX_BASE_DOMAIN);
    for (const domain of domains) {
      const problem = baseDomainProblem(domain);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
    const duplicate = domains.find((domain, i) => domains.indexOf(domain) !== i);
    if (duplicate) ctx.addIssue({ code: 'custom', message: `${quoted(duplicate)} is listed twice` });
  });

/** The form's text box takes domains separated by commas, spaces or new lines. */
export function parseBaseDomainsText(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((domain) => domain.trim())
    .filter((domain) => domain.length > 0);
}

export const prometheusUrl = withoutNul(
  z
    .url({
      protocol: /^https?$/,
      error: 'Enter an http(s) URL, e.g. ' + DEFAULT_PROMETHEUS_URL,
    })
    .max(MAX_URL, `The URL must be at most ${MAX_URL} characters`),
);

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
  .max(MAX_LABEL_KEY, `A label key must be at most ${MAX_LABEL_KEY} characters`)
  .superRefine((key, ctx) => {
    const problem = labelKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Addon id → on/off; more entries than the catalogue could ever hold are refused. */
const MAX_ADDON_CHOICES = 50;
export const addonChoice = z
  .record(z.string().max(MAX_NAME, 'Unknown addon'), z.boolean())
  .refine((choice) => Object.keys(choice).length <= MAX_ADDON_CHOICES, `At most ${MAX_ADDON_CHOICES} addons`);

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
      const named = unoffered.slice(0, 3).map((id) => (id.length > MAX_QUOTED ? quoted(id) : id));
      const more = unoffered.length > named.length ? ` and ${unoffered.length - named.length} more` : '';
      ctx.addIssue({ code: 'custom', path: ['addons'], message: `Not offered on this provider: ${named.join(', ')}${more}` });
    }
  });
/** What the form holds (defaults not yet applied). */
export type AttachClusterFormValues = z.input<typeof attachClusterInput>;
export type AttachClusterInput = z.output<typeof attachClusterInput>;

/** Clusters are addressed by name: it is unique, immutable and what URLs carry. */
export const clusterRef = z.object({
  name: withoutNul(z.string().trim().min(1, 'Cluster name is required').max(MAX_NAME, `Cluster name must be at most ${MAX_NAME} characters`)),
});
export type ClusterRef = z.infer<typeof clusterRef>;

/**
 * On a cluster with a production environment the name must be typed (the server checks:
 * rotation cuts the running agent off); other clusters need no confirmName.
 */
export const rotateClusterTokenInput = clusterRef.extend({
  confirmName: z.string().trim().max(MAX_NAME, 'Type the cluster name exactly to confirm').optional(),
});
export type RotateClusterTokenInput = z.infer<typeof rotateClusterTokenInput>;

export const updateClusterEnvironmentsInput = clusterRef.extend({ environmentIds });
export type UpdateClusterEnvironmentsInput = z.output<typeof updateClusterEnvironmentsInput>;

export const updateClusterAddonsInput = clusterRef.extend({ addons: addonChoice });
export type UpdateClusterAddonsInput = z.infer<typeof updateClusterAddonsInput>;

export const detachClusterInput = clusterRef
  .extend({ confirmName: z.string().trim().max(MAX_NAME, 'Type the cluster name exactly to confirm') })
  .refine((input) => input.confirmName === input.name, {
    path: ['confirmName'],
    message: 'Type the cluster name exactly to confirm',
  });
export type DetachClusterInput = z.infer<typeof detachClusterInput>;

// ── Fleet list ──────────────────────────────────────────────────────────────

export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** Far past the last page of any fleet; bounds the offset a query is asked for. */
const MAX_PAGE = 1_000_000;

/** A filter chip's value: an environment name or a region, never longer than what it matches. */
const filterValue = withoutNul(z.string().max(MAX_REGION, `A filter value must be at most ${MAX_REGION} characters`));
const filterList = <T extends z.ZodType>(value: T) => z.array(value).max(MAX_PICKED, `Choose at most ${MAX_PICKED} filters`).default([]);

export const listClustersInput = z.object({
  /** Environment names (names, not ids, so a shared link reads well and survives re-seeding). */
  environments: filterList(filterValue),
  providers: filterList(providerId),
  statuses: filterList(z.enum(CLUSTER_STATUSES)),
  regions: filterList(filterValue),
  /** Substring of the cluster name or of one of its GPU types ("h100"). */
  search: withoutNul(z.string().trim().max(100, 'Search must be at most 100 characters')).default(''),
  /** Only clusters someone should look at now: degraded or disconnected (ANDed with `statuses`). */
  needsAttention: z.boolean().default(false),
  sort: z.enum(CLUSTER_SORT_COLUMNS).default('name'),
  direction: z.enum(SORT_DIRECTIONS).default('asc'),
  /** 1-based. */
  page: z.number().int().positive().max(MAX_PAGE).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type ListClustersInput = z.input<typeof listClustersInput>;
export type ListClustersQuery = z.output<typeof listClustersInput>;


