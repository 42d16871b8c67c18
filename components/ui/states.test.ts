import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { isRetryable } from '@/components/ui/states';

function clientError(httpStatus: number) {
  const error = new TRPCClientError('refused');
  Object.assign(error, { data: { httpStatus } });
  return error;
}

describe('retrying a failed load', () => {
  it('is not offered for what the server will refuse again', () => {
    for (const status of [400, 401, 403, 404, 409]) expect(isRetryable(clientError(status))).toBe(false);
  });

  it('is offered for server faults, timeouts, rate limits and a lost network', () => {
    for (const status of [500, 503, 408, 429]) expect(isRetryable(clientError(status))).toBe(true);
    expect(isRetryable(new TypeError('Failed to fetch'))).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });
});
