/** The two moments a cluster's connection history records. */
export const CONNECTION_EVENT_KINDS = ['connected', 'disconnected'] as const;
export type ConnectionEventKind = (typeof CONNECTION_EVENT_KINDS)[number];

/** Flap detection: more than this many reconnects within the window makes a cluster Degraded. */
export const FLAP_RECONNECTS = 3;
export const FLAP_WINDOW_MS = 15 * 60_000;
/** How long a cluster's connection history is kept. */
export const CONNECTION_HISTORY_RETENTION_MS = 30 * 24 * 3_600_000;
