/**
 * A request failure with a protocol error code (`bad_params`, `upstream_error`, …)
 * and a message meant for the person looking at the control plane.
 */
import type { RequestErrorCode } from '@/lib/agent-protocol';

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
