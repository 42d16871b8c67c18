/**
 * Sizes every input shares. Every string and array a client may send has a maximum, so
 * no request can make the server parse, query with, store or echo more than a form
 * could hold; a value past it is refused with a field message, never a 500.
 */
import { z } from 'zod';

/** Kubernetes names: a DNS label. */
export const MAX_NAME = 63;
/** A DNS subdomain (a host name, a label key's prefix). */
export const MAX_HOST = 253;
/** A Kubernetes qualified name: a DNS-subdomain prefix, "/", then a 63-character name. */
export const MAX_LABEL_KEY = MAX_HOST + 1 + MAX_NAME;
/** RFC 5321's longest path: an address longer than this cannot receive mail. */
export const MAX_EMAIL = 254;
/** Passwords are hashed as they are; longer than a passphrase manager makes is not a password. */
export const MAX_PASSWORD = 512;
/** A URL typed into a settings form. */
export const MAX_URL = 2_048;
/** Ids a client may pick at once (environments of a cluster, filter chips). */
export const MAX_PICKED = 100;
/** A person's display name. */
export const MAX_DISPLAY_NAME = 100;
/** How much of a refused value a message may quote: enough to spot it, never the whole paste. */
export const MAX_QUOTED = 40;
/** Rows are numbered in 32-bit integer columns on PostgreSQL: a larger id names nothing. */
export const MAX_ID = 2_147_483_647;

/** The id of a stored row. */
export const recordId = z.number().int().positive().max(MAX_ID, 'No such record');

/**
 * PostgreSQL can neither store nor compare text holding U+0000 (the query fails), so a
 * NUL in free text is refused on its field; patterned fields refuse it already.
 */
export function withoutNul<S extends z.ZodString | z.ZodURL>(schema: S): S {
  return schema.refine((value) => !value.includes('\u0000'), 'Remove the NUL character (U+0000)') as S;
}

/**
 * `value` in quotes for an error message, cut to MAX_QUOTED characters: a message says
 * what is wrong and the limit, and never echoes a pasted novel back to the page.
 */
export function quoted(value: string): string {
  return value.length > MAX_QUOTED ? `"${value.slice(0, MAX_QUOTED - 1)}…"` : `"${value}"`;
}
