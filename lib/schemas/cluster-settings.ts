/**
 * Settings of an attached cluster that stay editable: region, base domains, the
 * Prometheus URL and the label keys. Each field is the attach form's own schema
 * (lib/schemas/cluster.ts); a field left out keeps its value.
 */
import type { z } from 'zod';
import { baseDomains, clusterRef, labelKey, prometheusUrl, region } from '@/lib/schemas/cluster';

export const CLUSTER_SETTING_FIELDS = ['region', 'baseDomains', 'prometheusUrl', 'nodePoolLabel', 'gpuTypeLabel'] as const;
export type ClusterSettingField = (typeof CLUSTER_SETTING_FIELDS)[number];

/** Settings the agent works with: a change is pushed to it. */
export const AGENT_SETTING_FIELDS: readonly ClusterSettingField[] = ['prometheusUrl', 'nodePoolLabel', 'gpuTypeLabel'];

export const updateClusterSettingsInput = clusterRef
  .extend({
    region: region.optional(),
    baseDomains: baseDomains.optional(),
    prometheusUrl: prometheusUrl.optional(),
    nodePoolLabel: labelKey.optional(),
    gpuTypeLabel: labelKey.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.nodePoolLabel !== undefined && input.nodePoolLabel === input.gpuTypeLabel) {
      ctx.addIssue({ code: 'custom', path: ['gpuTypeLabel'], message: 'Use a different key from the node pool label' });
    }
  });
export type UpdateClusterSettingsInput = z.output<typeof updateClusterSettingsInput>;
export type UpdateClusterSettingsFormValues = z.input<typeof updateClusterSettingsInput>;
