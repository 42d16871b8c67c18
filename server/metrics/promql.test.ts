import { describe, expect, it } from 'vitest';
import { dcgmSeries, gpuMemoryUsedPercent, kubeNodeLabelName, nodeInfo, preferRule, RECORDING_RULES } from './promql';

describe('kubeNodeLabelName', () => {
  it.each([
    ['cloud.google.com/gke-nodepool', 'label_cloud_google_com_gke_nodepool'],
    ['nvidia.com/gpu.product', 'label_nvidia_com_gpu_product'],
    ['eks.amazonaws.com/nodegroup', 'label_eks_amazonaws_com_nodegroup'],
    ['karpenter.sh/nodepool', 'label_karpenter_sh_nodepool'],
    ['node.kubernetes.io/instance-type', 'label_node_kubernetes_io_instance_type'],
    ['agentpool', 'label_agentpool'],
    ['kubernetes.azure.com/agentpool', 'label_kubernetes_azure_com_agentpool'],
    ['Pool_2', 'label_Pool_2'],
  ])('turns %s into kube-state-metrics’ %s', (key, label) => {
    expect(kubeNodeLabelName(key)).toBe(label);
    expect(label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });
});

describe('preferRule', () => {
  it('uses a recording rule only when the cluster’s Prometheus has it, else the raw expression it stands for', () => {
    const base = { nodePoolLabel: 'pool', gpuTypeLabel: 'gpu' };
    expect(preferRule('cluster:node_cpu:ratio_rate5m', base)).toBe(RECORDING_RULES['cluster:node_cpu:ratio_rate5m']);
    expect(preferRule('cluster:node_cpu:ratio_rate5m', { ...base, recordingRules: new Set(['instance:node_cpu_utilisation:rate5m']) })).toContain('rate(');
    expect(preferRule('cluster:node_cpu:ratio_rate5m', { ...base, recordingRules: new Set(['cluster:node_cpu:ratio_rate5m']) })).toBe(
      'cluster:node_cpu:ratio_rate5m',
    );
  });
});

describe('label variants', () => {
  it('copies exported_pod/namespace/container over the target’s, and Hostname or hostname into node', () => {
    const expr = dcgmSeries('DCGM_FI_DEV_GPU_UTIL');
    for (const [dst, src] of [
      ['pod', 'exported_pod'],
      ['namespace', 'exported_namespace'],
      ['container', 'exported_container'],
      ['node', 'Hostname'],
      ['node', 'hostname'],
    ]) {
      expect(expr).toContain(`"${dst}", "$1", "${src}", "(.+)"`);
    }
  });

  it('counts FB_RESERVED where it exists and 0 where it does not', () => {
    expect(gpuMemoryUsedPercent()).toContain('(DCGM_FI_DEV_FB_RESERVED or DCGM_FI_DEV_FB_USED * 0)');
  });

  it('reads node pool and GPU type from the cluster’s label keys, falling back to DCGM modelName, then unknown', () => {
    const info = nodeInfo({ nodePoolLabel: 'karpenter.sh/nodepool', gpuTypeLabel: 'nvidia.com/gpu.product' });
    expect(info).toContain('kube_node_labels{label_nvidia_com_gpu_product!=""}');
    expect(info).toContain('"node_pool", "$1", "label_karpenter_sh_nodepool", "(.+)"');
    expect(info).toContain('"gpu_type", "$1", "modelName", "(.+)"');
    expect(info).toContain('"gpu_type", "unknown"');
  });
});
