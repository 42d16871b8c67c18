import { createHash, randomBytes } from 'node:crypto';

/** Cluster tokens look like `fdct_<43 base64url chars>` (32 random bytes). */
export const CLUSTER_TOKEN_PREFIX = 'fdct_';
const RANDOM_BYTES = 32;
/** How much of a token is kept to recognise it: `fdct_` plus six characters. */
const RECOGNISABLE_LENGTH = CLUSTER_TOKEN_PREFIX.length + 6;

export interface MintedClusterToken {
  /** The secret itself: shown once, never stored. */
  token: string;
  /** SHA-256 hex of the token: what the database keeps. */
  tokenHash: string;
  /** Enough to recognise the token in the UI, not to use it. */
  prefix: string;
}

export function mintClusterToken(): MintedClusterToken {
  const token = CLUSTER_TOKEN_PREFIX + randomBytes(RANDOM_BYTES).toString('base64url');
  return { token, tokenHash: hashClusterToken(token), prefix: token.slice(0, RECOGNISABLE_LENGTH) };
}

/**
 * A plain SHA-256 suffices (no salt, no stretching): the token carries 256 bits of
 * entropy, so the hash cannot be brute-forced, and a fixed hash lets the gateway find
 * the cluster with one indexed lookup.
 */
export function hashClusterToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
