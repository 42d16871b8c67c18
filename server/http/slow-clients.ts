/**
 * A client that trickles its headers or body holds a descriptor; Node's defaults let
 * one live for a minute (headers) or five (body), checked every 30 s. The dashboard's
 * requests are small, so these are generous and still cut a slowloris in seconds.
 * (Agents are not affected: their upgraded sockets leave the HTTP timers.)
 */
export const SLOW_CLIENT_LIMITS = {
  headersTimeout: 15_000,
  requestTimeout: 60_000,
  connectionsCheckingInterval: 2_000,
} as const;
