import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` writes PostgreSQL's migrations from db/schema/postgres.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/postgres.ts',
  out: './db/migrations/postgres',
});
