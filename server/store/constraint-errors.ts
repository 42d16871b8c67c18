/**
 * Turns the engines' constraint violations into the same typed domain errors.
 *
 * SQLite reports `SQLITE_CONSTRAINT_UNIQUE` with "UNIQUE constraint failed: clusters.name";
 * PostgreSQL reports SQLSTATE 23505 with the constraint's name. Both map onto the
 * entries below, so a form gets the same field message whichever engine runs.
 */
import { ConflictError, PreconditionError } from '@/server/errors';

interface UniqueRule {
  table: string;
  columns: readonly string[];
  /** The input field the message belongs beside. */
  field: string;
  message: string;
}

/** Keyed by the index name both migrations give the constraint. */
const UNIQUE_RULES: Record<string, UniqueRule> = {
  users_email_unique: { table: 'users', columns: ['email'], field: 'email', message: 'A user with this email already exists' },
  environments_name_unique: { table: 'environments', columns: ['name'], field: 'name', message: 'An environment with this name already exists' },
  clusters_name_unique: { table: 'clusters', columns: ['name'], field: 'name', message: 'A cluster with this name already exists' },
  notification_channels_name_unique: {
    table: 'notification_channels',
    columns: ['name'],
    field: 'name',
    message: 'A notification channel with this name already exists',
  },
  alert_rules_name_unique: { table: 'alert_rules', columns: ['name'], field: 'name', message: 'An alert rule with this name already exists' },
  workspaces_cluster_name_unique: {
    table: 'workspaces',
    columns: ['cluster_id', 'name'],
    field: 'name',
    message: 'A workspace with this name already exists in this cluster',
  },
  teams_name_unique: { table: 'teams', columns: ['name'], field: 'name', message: 'A team with this name already exists' },
  storage_integrations_name_unique: {
    table: 'storage_integrations',
    columns: ['name'],
    field: 'name',
    message: 'A storage integration with this name already exists',
  },
  ml_repos_name_unique: { table: 'ml_repos', columns: ['name'], field: 'name', message: 'An ML repo with this name already exists' },
  ml_repo_grants_user_unique: {
    table: 'ml_repo_grants',
    columns: ['repo_id', 'user_id'],
    field: 'subject',
    message: 'This user already has a grant on this repo; change its role instead',
  },
  ml_repo_grants_team_unique: {
    table: 'ml_repo_grants',
    columns: ['repo_id', 'team_id'],
    field: 'subject',
    message: 'This team already has a grant on this repo; change its role instead',
  },
  ml_repo_grants_workspace_unique: {
    table: 'ml_repo_grants',
    columns: ['repo_id', 'workspace_id'],
    field: 'subject',
    message: 'This workspace already has a grant on this repo; change its role instead',
  },
};

const GENERIC_CONFLICT = 'That conflicts with something that already exists';
const GENERIC_FOREIGN_KEY = 'That refers to something that no longer exists, or is still in use';

function ruleFor(constraint: string | undefined, table: string | undefined, columns: readonly string[] | undefined): UniqueRule | undefined {
  if (constraint && UNIQUE_RULES[constraint]) return UNIQUE_RULES[constraint];
  if (!table || !columns) return undefined;
  return Object.values(UNIQUE_RULES).find((rule) => rule.table === table && rule.columns.join() === columns.join());
}

/** The driver's own error, under drizzle's `DrizzleQueryError` wrapper if there is one. */
function driverError(error: unknown): (Error & { code?: unknown; constraint?: unknown }) | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current;
    current = current.cause;
  }
  return undefined;
}

/** The domain error a constraint violation stands for, or undefined for any other error. */
export function constraintError(error: unknown): ConflictError | PreconditionError | undefined {
  const cause = driverError(error);
  if (!cause) return undefined;
  const code = cause.code as string;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: workspaces.cluster_id, workspaces.name"
    const qualified = cause.message.split(':')[1]?.split(',').map((part) => part.trim()) ?? [];
    const table = qualified[0]?.split('.')[0];
    const rule = ruleFor(undefined, table, qualified.map((part) => part.split('.')[1] ?? ''));
    return rule ? ConflictError.onField(rule.field, rule.message) : new ConflictError(GENERIC_CONFLICT);
  }
  if (code === '23505') {
    const rule = ruleFor(typeof cause.constraint === 'string' ? cause.constraint : undefined, undefined, undefined);
    return rule ? ConflictError.onField(rule.field, rule.message) : new ConflictError(GENERIC_CONFLICT);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') return new PreconditionError(GENERIC_FOREIGN_KEY);
  // SQLite enforces ON DELETE RESTRICT with an internal trigger, and says so in the code.
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && cause.message === 'FOREIGN KEY constraint failed') {
    return new PreconditionError(GENERIC_FOREIGN_KEY);
  }
  return undefined;
}
