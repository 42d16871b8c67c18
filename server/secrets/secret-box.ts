/**
 * Seals credentials the control plane must use later but never show again (a webhook
 * URL holds its receiver's secret): AES-256-GCM with a random 96-bit nonce per value, so
 * the same URL sealed twice gives two different strings, and the tag makes any change
 * to a sealed value (or the wrong key) fail to open rather than yield garbage.
 *
 * Format: `v1:` + base64url(nonce ‖ ciphertext ‖ tag). The version prefix leaves room
 * for a new algorithm or key rotation (`v2:` beside `v1:`) without a migration. The
 * purpose is bound as associated data, so a value sealed for one use cannot be moved
 * into a column meant for another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed value is for: bound into the seal, checked on open. */
export type SecretPurpose = 'notification-channel.url' | 'storage-integration.credentials';

export interface SecretBox {
  seal(plaintext: string, purpose: SecretPurpose): string;
  /** Throws `SecretBoxError` when the value was altered, sealed with another key or for another purpose. */
  open(sealed: string, purpose: SecretPurpose): string;
}

/** A sealed value that cannot be opened. Its message never holds the value. */
export class SecretBoxError extends Error {}

/** The key from its base64 text form (`FLEETDECK_SECRET_KEY`, the key file), or null when it is not 32 bytes of base64. */
export function decodeSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === KEY_BYTES ? key : null;
}

export function generateSecretKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`createSecretBox: the key must be ${KEY_BYTES} bytes`);
  // A private copy: the caller's buffer may be reused or zeroed.
  const secret = Buffer.from(key);
  return {
    seal(plaintext, purpose) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(sealed, purpose) {
      const [version, payload, ...rest] = sealed.split(':');
      if (version !== VERSION || payload === undefined || rest.length > 0) {
        throw new SecretBoxError('The sealed value has an unknown format');
      }
      const raw = Buffer.from(payload, 'base64url');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretBoxError('The sealed value is too short');
      const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('The sealed value could not be opened: it was altered, or the secret key is not the one it was sealed with');
      }
    },
  };
}
