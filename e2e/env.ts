/** Shared by playwright.config.ts and the specs: where the e2e server runs and who signs in. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_DIR = 'data/e2e';
export const E2E_ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' } as const;
export const E2E_MEMBER = { email: 'member@e2e.test', password: 'e2e-member-password' } as const;
/** The same control plane on a throwaway PostgreSQL server (the `postgres` project). */
export const E2E_POSTGRES_PORT = E2E_PORT + 1;
/** An S3-compatible server (s3rver, bucket `ml-artifacts`, CORS open) for storage and artifact specs: e2e/serve-s3.ts. */
export const E2E_S3_PORT = E2E_PORT + 2;
