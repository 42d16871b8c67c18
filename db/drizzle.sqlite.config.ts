import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` writes the embedded engine's migrations from db/schema/sqlite.ts. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/sqlite.ts',
  out: './db/migrations/sqlite',
});
