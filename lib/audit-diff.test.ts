import { describe, expect, it } from 'vitest';
import { auditDiff, foldValue, formatAuditValue } from '@/lib/audit-diff';

describe('audit diff', () => {
  it('lists only the fields whose value changed, old and new as text', () => {
    const before = { name: 'gpu-west', region: 'us-east-1', environmentIds: [1, 2], isProduction: false };
    const after = { name: 'gpu-west', region: 'us-west-2', environmentIds: [1, 2], isProduction: true };
    expect(auditDiff(before, after)).toEqual([
      { field: 'region', kind: 'changed', before: 'us-east-1', after: 'us-west-2' },
      { field: 'isProduction', kind: 'changed', before: 'false', after: 'true' },
    ]);
  });

  it('walks into nested objects and names the field by its path', () => {
    const before = { labels: { nodePool: 'fleetdeck.io/node-pool', gpuType: 'a' }, note: null };
    const after = { labels: { nodePool: 'fleetdeck.io/node-pool', gpuType: 'b' }, note: null };
    expect(auditDiff(before, after)).toEqual([{ field: 'labels.gpuType', kind: 'changed', before: 'a', after: 'b' }]);
  });

  it('shows a create as added fields and a delete as removed ones', () => {
    expect(auditDiff(null, { name: 'dev', color: '#22c55e' })).toEqual([
      { field: 'name', kind: 'added', after: 'dev' },
      { field: 'color', kind: 'added', after: '#22c55e' },
    ]);
    expect(auditDiff({ name: 'dev' }, null)).toEqual([{ field: 'name', kind: 'removed', before: 'dev' }]);
    expect(auditDiff({ a: 1 }, { b: 2 })).toEqual([
      { field: 'a', kind: 'removed', before: '1' },
      { field: 'b', kind: 'added', after: '2' },
    ]);
  });

  it('says nothing changed when both sides are equal or absent', () => {
    expect(auditDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(auditDiff(null, undefined)).toEqual([]);
  });

  it('writes values readably', () => {
    expect(formatAuditValue(null)).toBe('—');
    expect(formatAuditValue('')).toBe('""');
    expect(formatAuditValue(['a', 'b'])).toBe('a, b');
    expect(formatAuditValue([])).toBe('(none)');
    expect(formatAuditValue({ argocd: true, istio: false })).toBe('argocd: true, istio: false');
    expect(formatAuditValue({})).toBe('(none)');
    expect(formatAuditValue({ x: { y: 1 } })).toBe('{"x":{"y":1}}');
  });

  it('folds long values and leaves short ones whole', () => {
    expect(foldValue('short')).toEqual({ shown: 'short', folded: false });
    const long = 'x'.repeat(10_000);
    const folded = foldValue(long);
    expect(folded.folded).toBe(true);
    expect(folded.shown.length).toBeLessThan(100);
  });
});
