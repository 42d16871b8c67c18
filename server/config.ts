/**
 * The control plane's configuration: read from the environment once, at start, and
 * validated with clear messages. Nothing below the composition root reads
 * `process.env`; it gets what it needs from this object.
 */
import { z } from 'zod';
import { email as emailSchema, password as passwordSchema } from '@/lib/schemas/auth';
import { decodeSecretKey } from '@/server/secrets/secret-box';
import type { DatabaseConfig } from '@/server/store';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const environmentSchema = z.object({
  PORT: port.default(3000),
  HOSTNAME_BIND: z.string().min(1).default('0.0.0.0'),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for the embedded SQLite file)')
    .optional(),
  DATABASE_PATH: z.string().min(1).default('./data/fleetdeck.db'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  FLEETDECK_ADMIN_EMAIL: emailSchema.default('admin@fleetdeck.local'),
  FLEETDECK_ADMIN_PASSWORD: passwordSchema.optional(),
  FLEETDECK_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://fleetdeck.example.com' })
    .optional()
    .transform((url) => url?.replace(/\/+$/, '')),
  FLEETDECK_TENANT: z.string().trim().min(1).max(63).default('default'),
  FLEETDECK_TRUST_PROXY: z
    .string()
    .regex(/^\d{0,2}$/, 'must be the number of reverse proxies in front of Fleetdeck (0 or unset when there are none)')
    .default('')
    .transform((hops) => Number(hops || 0)),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  FLEETDECK_SECRET_KEY: z
    .string()
    .optional()
    .refine((text) => text === undefined || decodeSecretKey(text) !== null, 'must be 32 random bytes in base64 (generate one with `openssl rand -base64 32`)')
    .transform((text) => (text === undefined ? undefined : (decodeSecretKey(text) ?? undefined))),
});

export interface ControlPlaneConfig {
  port: number;
  hostname: string;
  /** Next in dev mode (hot reload) instead of the production build. */
  dev: boolean;
  database: DatabaseConfig;
  bootstrapAdmin: { email: string; password: string | undefined };
  /** Where agents dial, in install commands; unset means the host the request came in on. */
  publicUrl: string | undefined;
  tenant: string;
  /**
   * How many reverse proxies stand in front of us. Their `X-Forwarded-For` entries are
   * trusted from the right: the client is the address the outermost trusted proxy saw.
   * 0 means the socket's peer is the client and forwarded headers are ignored.
   */
  trustProxyHops: number;
  logLevel: LogLevel;
  /**
   * Seals stored credentials (notification channel URLs). Unset: a key file beside the
   * SQLite database (server/secrets/secret-key.ts); required on PostgreSQL.
   */
  secretKey: Buffer | undefined;
}

/** A configuration the operator must fix; printed as it is, without a stack. */
export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): ControlPlaneConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n    ${lines.join('\n    ')}`);
  }
  const values = parsed.data;
  if (values.DATABASE_URL && !values.FLEETDECK_SECRET_KEY) {
    // Checked here, before anything is built or opened; server/secrets/secret-key.ts says why.
    throw new ConfigError(
      'Invalid configuration:\n    FLEETDECK_SECRET_KEY must be set when DATABASE_URL is (it seals stored credentials, and every replica needs the same one); generate one with `openssl rand -base64 32`',
    );
  }
  return {
    port: values.PORT,
    hostname: values.HOSTNAME_BIND,
    dev: values.NODE_ENV !== 'production',
    database: values.DATABASE_URL
      ? { engine: 'postgres', url: values.DATABASE_URL, poolSize: values.DATABASE_POOL_SIZE }
      : { engine: 'sqlite', path: values.DATABASE_PATH },
    bootstrapAdmin: { email: values.FLEETDECK_ADMIN_EMAIL, password: values.FLEETDECK_ADMIN_PASSWORD },
    publicUrl: values.FLEETDECK_PUBLIC_URL,
    tenant: values.FLEETDECK_TENANT,
    trustProxyHops: values.FLEETDECK_TRUST_PROXY,
    logLevel: values.LOG_LEVEL,
    secretKey: values.FLEETDECK_SECRET_KEY,
  };
}
