import { describe, expect, it } from 'vitest';
import { formatAsOf, liveStateOf } from '@/components/trpc/live-state';

describe('live state', () => {
  it('is live only while online with every stream connected', () => {
    expect(liveStateOf({ online: true, streamsDown: 0 })).toBe('live');
    expect(liveStateOf({ online: true, streamsDown: 1 })).toBe('reconnecting');
    expect(liveStateOf({ online: false, streamsDown: 0 })).toBe('offline');
    expect(liveStateOf({ online: false, streamsDown: 2 })).toBe('offline');
  });

  it('writes the as-of time to the second', () => {
    expect(formatAsOf(new Date(2026, 10, 23, 9, 5, 7))).toBe('09:05:07');
  });
});
