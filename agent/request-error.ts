/**
 * A request failure with a protocol error code (`bad_params`, `upstream_error`, …)
 * and a message meant for the person looking at the control plane.
 */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
