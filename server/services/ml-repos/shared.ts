/** What the ML repo services share: finding a repo, its location, and LIKE patterns. */
import { eq } from 'drizzle-orm';
import type { MlRepoRow } from '@/db/schema';
import { NotFoundError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';

export async function findRepoByName(db: Db, name: string): Promise<MlRepoRow> {
  const { mlRepos } = tablesOf(db);
  const [row] = await db.select().from(mlRepos).where(eq(mlRepos.name, name)).limit(1);
  if (!row) throw new NotFoundError(`ML repo "${name}" does not exist (it may have been deleted)`);
  return row;
}

/** `search` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
