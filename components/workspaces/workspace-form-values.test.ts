import { describe, expect, it } from 'vitest';
import {
  boxesFromQuota,
  hasToleration,
  labelsFromRows,
  quotaFromBoxes,
  rowFromToleration,
  rowsFromLabels,
  tolerationForTaint,
  tolerationFromRow,
} from '@/components/workspaces/workspace-form-values';

describe('workspace form values', () => {
  it('turns label rows into a record, dropping blank rows but keeping a key without a value', () => {
    expect(labelsFromRows([{ key: ' team ', value: ' ml ' }, { key: '', value: '' }, { key: 'tier', value: '' }])).toEqual({ team: 'ml', tier: '' });
    expect(rowsFromLabels({ team: 'ml' })).toEqual([{ key: 'team', value: 'ml' }]);
  });

  it('writes a toleration the way Kubernetes does: no empty parts', () => {
    expect(tolerationFromRow({ key: 'gpu', operator: 'Exists', value: '', effect: '' })).toEqual({ key: 'gpu', operator: 'Exists' });
    expect(tolerationFromRow({ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' })).toEqual({
      key: 'gpu',
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    });
    expect(rowFromToleration({ operator: 'Exists' })).toEqual({ key: '', operator: 'Exists', value: '', effect: '' });
  });

  it('offers Equal for a taint with a value and Exists for one without', () => {
    expect(tolerationForTaint({ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' })).toEqual({
      key: 'nvidia.com/gpu',
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    });
    const exists = tolerationForTaint({ key: 'gpu.lambda.ai/dedicated', effect: 'NoExecute' });
    expect(exists).toEqual({ key: 'gpu.lambda.ai/dedicated', operator: 'Exists', value: '', effect: 'NoExecute' });
    expect(hasToleration([exists], exists)).toBe(true);
    expect(hasToleration([exists], { ...exists, effect: 'NoSchedule' })).toBe(false);
  });

  it('reads three empty quota boxes as no quota and keeps what was typed otherwise', () => {
    expect(quotaFromBoxes({ cpu: ' ', memory: '', gpus: '' })).toBeNull();
    expect(quotaFromBoxes({ cpu: '8', memory: '32Gi', gpus: '2' })).toEqual({ cpu: '8', memory: '32Gi', gpus: 2 });
    expect(Number.isInteger(quotaFromBoxes({ cpu: '', memory: '', gpus: 'two' })?.gpus)).toBe(false);
    expect(boxesFromQuota({ gpus: 4 })).toEqual({ cpu: '', memory: '', gpus: '4' });
    expect(boxesFromQuota(null)).toEqual({ cpu: '', memory: '', gpus: '' });
  });
});
