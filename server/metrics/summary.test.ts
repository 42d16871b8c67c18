import { describe, expect, it } from 'vitest';
import type { PrometheusVector } from '@/lib/agent-protocol';
import { SUMMARY_QUERY_IDS as ids, summaryCatalog } from './summary';

const at = 1_800_000_000;
const vector = (...samples: Array<[Record<string, string>, string]>): PrometheusVector => ({
  resultType: 'vector',
  result: samples.map(([metric, value]) => ({ metric, value: [at, value] })),
});
const pool = (gpu_type: string, node_pool: string) => ({ gpu_type, node_pool });

describe('summaryCatalog.queries', () => {
  it('asks every figure of the summary once, with the cluster’s label keys', () => {
    const queries = summaryCatalog.queries({ nodePoolLabel: 'eks.amazonaws.com/nodegroup', gpuTypeLabel: 'nvidia.com/gpu.product' });
    expect(queries.map((query) => query.id).sort()).toEqual(Object.values(ids).sort());
    const total = queries.find((query) => query.id === ids.gpuTotal)?.promql;
    expect(total).toContain('label_eks_amazonaws_com_nodegroup');
    expect(total).toContain('label_nvidia_com_gpu_product');
  });
});

describe('summaryCatalog.interpret', () => {
  const complete = {
    [ids.gpuTotal]: vector([pool('H100', 'train'), '8'], [pool('A100', 'serve'), '4'], [pool('unknown', 'system'), '0']),
    [ids.gpuAllocated]: vector([pool('H100', 'train'), '5'], [pool('A100', 'serve'), '3']),
    // Only pools with an idle GPU answer: the others have none.
    [ids.gpuIdleAllocated]: vector([pool('H100', 'train'), '1']),
    [ids.gpuMeanUtilization]: vector([pool('H100', 'train'), '32.875'], [pool('A100', 'serve'), 'NaN']),
    [ids.nodesReady]: vector([{}, '2']),
    [ids.nodesTotal]: vector([{}, '3']),
    [ids.cpuUtilization]: vector([{}, '0.375']),
    [ids.memoryUtilization]: vector([{}, '0.5']),
    [ids.xidErrors]: vector([{}, '1']),
    [ids.hotGpus]: vector([{}, '0']),
  };

  it('builds pools by GPU type and node pool, sorted, without pools that hold no GPUs', () => {
    expect(summaryCatalog.interpret(complete)).toEqual({
      gpus: [
        { model: 'A100', nodePool: 'serve', total: 4, allocated: 3, idleAllocated: 0, meanUtilization: null },
        { model: 'H100', nodePool: 'train', total: 8, allocated: 5, idleAllocated: 1, meanUtilization: 32.875 },
      ],
      nodesReady: 2,
      nodesTotal: 3,
      cpuUtilization: 0.375,
      memoryUtilization: 0.5,
      xidErrors: 1,
      hotGpus: 0,
    });
  });

  it('leaves a failed or empty query’s figures null, and reads "NaN" and "+Inf" as no figure', () => {
    const summary = summaryCatalog.interpret({
      ...complete,
      [ids.cpuUtilization]: undefined,
      [ids.memoryUtilization]: vector([{}, 'NaN']),
      [ids.nodesReady]: vector(),
      [ids.hotGpus]: vector([{}, '+Inf']),
      [ids.gpuMeanUtilization]: undefined,
    });
    expect(summary).toMatchObject({ cpuUtilization: null, memoryUtilization: null, nodesReady: null, nodesTotal: 3, hotGpus: null, xidErrors: 1 });
    expect(summary.gpus.map((gpus) => gpus.meanUtilization)).toEqual([null, null]);
  });

  it('reports no pools rather than false zeros when a GPU count query failed', () => {
    for (const id of [ids.gpuTotal, ids.gpuAllocated, ids.gpuIdleAllocated]) {
      expect(summaryCatalog.interpret({ ...complete, [id]: undefined }).gpus).toEqual([]);
    }
  });

  it('spells a type that came from DCGM modelName as GPU feature discovery labels it', () => {
    const a100 = pool('NVIDIA A100-SXM4-40GB', 'serve');
    const summary = summaryCatalog.interpret({ [ids.gpuTotal]: vector([a100, '4']), [ids.gpuAllocated]: vector(), [ids.gpuIdleAllocated]: vector() });
    expect(summary.gpus.map((gpus) => gpus.model)).toEqual(['NVIDIA-A100-SXM4-40GB']);
  });

  it('names pools without labels unknown', () => {
    const summary = summaryCatalog.interpret({
      [ids.gpuTotal]: vector([{}, '2']),
      [ids.gpuAllocated]: vector([{}, '2']),
      [ids.gpuIdleAllocated]: vector(),
    });
    expect(summary.gpus).toEqual([{ model: 'unknown', nodePool: 'unknown', total: 2, allocated: 2, idleAllocated: 0, meanUtilization: null }]);
    expect(summary.nodesReady).toBeNull();
  });
});
