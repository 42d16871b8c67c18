/** The two moments a cluster's connection history records. */
export const CONNECTION_EVENT_KINDS = ['connected', 'disconnected'] as const;
export type ConnectionEventKind = (typeof CONNECTION_EVENT_KINDS)[number];
