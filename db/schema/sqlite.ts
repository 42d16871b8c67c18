/**
 * The store's tables on the embedded engine, SQLite. `postgres.ts` beside this file
 * declares the same tables for PostgreSQL; `index.ts` checks at compile time that both
 * give the same row types, and a test compares the two migrated schemas.
 * `npm run db:generate` writes db/migrations/<engine>; they are committed and applied at start.
 *
 * Conventions: tables are plural; ids are integers; times are unix seconds
 * (`integer(..., { mode: 'timestamp' })`) defaulting to `unixepoch()`; JSON columns
 * are typed with `$type`. Secrets (passwords, session and cluster tokens) are stored
 * only as hashes.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type { DetectedComponent, NodeCondition, IngressClassState, PreflightResult, StorageClassState, Taint } from '@/lib/agent-protocol';
import { ALERT_CONDITIONS, ALERT_STATES, CHANNEL_KINDS, DELIVERY_EVENTS, DELIVERY_STATUSES } from '@/lib/alerts';
import { CLUSTER_STATUSES, OPTIMIZE_FOR, type ClusterStatus } from '@/lib/cluster-status';
import { CONNECTION_EVENT_KINDS } from '@/lib/connection-history';
import { WORKSPACE_ROLES, WORKSPACE_SYNC_STATES, type QuotaUsage, type Toleration, type WorkspaceQuota, type WorkspaceSyncState } from '@/lib/workspaces';
import type { MetricSummary } from '@/lib/metrics';
import { GRANT_SUBJECT_KINDS, REPO_ROLES } from '@/lib/ml-repos';
import { ROLES } from '@/lib/permissions';
import { STORAGE_KINDS, type ConnectionTestResult, type StorageSettings } from '@/lib/storage';
import { TEAM_MEMBER_ROLES } from '@/lib/teams';
import { PROVIDER_IDS } from '@/lib/providers';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp' })
    .notNull()
    .default(sql`(unixepoch())`);
const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp' })
    .notNull()
    .default(sql`(unixepoch())`);

// ── People ──────────────────────────────────────────────────────────────────

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `scrypt$N$r$p$salt$hash`, see server/auth/password.ts. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    /** Users are deactivated, never deleted: the audit trail keeps pointing at them. */
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    lastSignInAt: integer('last_sign_in_at', { mode: 'timestamp' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the cookie value; the cookie value itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp' }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

// ── Audit ───────────────────────────────────────────────────────────────────

/** Append-only: no code path updates or deletes these rows (a trigger enforces it). */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp' })
      .notNull()
      .default(sql`(unixepoch())`),
    /** Null for actions of the system itself (bootstrap, agent-reported changes). */
    actorUserId: integer('actor_user_id').references(() => users.id),
    /** The actor's email at the time, or `system`. */
    actorLabel: text('actor_label').notNull(),
    /** `<noun>.<verb>`, e.g. `environment.create`. */
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    targetLabel: text('target_label'),
    before: text('before', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    after: text('after', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    ip: text('ip'),
  },
  (t) => [
    index('audit_events_target_idx').on(t.targetType, t.targetId),
    index('audit_events_at_idx').on(t.at),
    index('audit_events_actor_idx').on(t.actorUserId),
  ],
);

// ── Environments ────────────────────────────────────────────────────────────

export const environments = sqliteTable(
  'environments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** `#rrggbb`. */
    color: text('color').notNull(),
    isProduction: integer('is_production', { mode: 'boolean' }).notNull().default(false),
    optimizeFor: text('optimize_for', { enum: OPTIMIZE_FOR })
      .notNull()
      .default('cost'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('environments_name_unique').on(t.name)],
);

// ── Clusters ────────────────────────────────────────────────────────────────

export const clusters = sqliteTable(
  'clusters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    provider: text('provider', { enum: PROVIDER_IDS }).notNull(),
    region: text('region').notNull(),
    baseDomains: text('base_domains', { mode: 'json' }).$type<string[]>().notNull().default([]),
    prometheusUrl: text('prometheus_url').notNull(),
    nodePoolLabel: text('node_pool_label').notNull(),
    gpuTypeLabel: text('gpu_type_label').notNull(),
    /** Desired addons: addon id → enabled. Ids come from lib/addons/catalog.ts. */
    addons: text('addons', { mode: 'json' }).$type<Record<string, boolean>>().notNull().default({}),

    /** Derived by server/services/cluster-status.ts from the facts below; stored so the fleet list can filter and sort on it. */
    status: text('status', { enum: CLUSTER_STATUSES })
      .$type<ClusterStatus>()
      .notNull()
      .default('awaiting_agent'),
    /** Human reasons behind `degraded` (failing preflight checks, addon conflicts). */
    statusReasons: text('status_reasons', { mode: 'json' }).$type<string[]>().notNull().default([]),
    connectedAt: integer('connected_at', { mode: 'timestamp' }),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp' }),
    disconnectedAt: integer('disconnected_at', { mode: 'timestamp' }),
    agentVersion: text('agent_version'),
    kubernetesVersion: text('kubernetes_version'),

    // Denormalised from cluster_nodes so the fleet list never aggregates 50k node rows per page.
    nodeCount: integer('node_count'),
    readyNodeCount: integer('ready_node_count'),
    gpuCount: integer('gpu_count'),
    /** GPU type → count, e.g. `{ "H100": 64 }`. */
    gpusByType: text('gpus_by_type', { mode: 'json' }).$type<Record<string, number>>(),

    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('clusters_name_unique').on(t.name),
    index('clusters_status_idx').on(t.status),
    index('clusters_provider_idx').on(t.provider),
    index('clusters_region_idx').on(t.region),
  ],
);

export const clusterEnvironments = sqliteTable(
  'cluster_environments',
  {
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'restrict' }),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.environmentId] }),
    index('cluster_environments_env_idx').on(t.environmentId),
  ],
);

export const clusterTokens = sqliteTable(
  'cluster_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the token. The token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    /** First characters of the token, to recognise it (`fdct_ab12cd…`). */
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: integer('revoked_at', { mode: 'timestamp' }),
  },
  (t) => [
    uniqueIndex('cluster_tokens_hash_unique').on(t.tokenHash),
    index('cluster_tokens_cluster_idx').on(t.clusterId),
  ],
);

// ── Reported cluster state (written by the agent gateway) ───────────────────

export const clusterNodes = sqliteTable(
  'cluster_nodes',
  {
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nodePool: text('node_pool'),
    gpuType: text('gpu_type'),
    gpuCount: integer('gpu_count').notNull().default(0),
    ready: integer('ready', { mode: 'boolean' }).notNull(),
    /** Capacity as reported: `{ cpu: "96", memory: "1056Gi", "nvidia.com/gpu": "8" }`. */
    capacity: text('capacity', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    taints: text('taints', { mode: 'json' })
      .$type<Taint[]>()
      .notNull()
      .default([]),
    kubeletVersion: text('kubelet_version'),
    /** Status conditions as reported (`Ready`, `MemoryPressure`, …). */
    conditions: text('conditions', { mode: 'json' }).$type<NodeCondition[]>().notNull().default([]),
    /** When the node's `Ready` condition last turned True; null while it is not Ready. */
    readySince: integer('ready_since', { mode: 'timestamp' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.name] }),
    index('cluster_nodes_gpu_type_idx').on(t.gpuType),
  ],
);

/**
 * The rest of the agent's latest report, one row per cluster. Kept as JSON because it is
 * read whole by the cluster page and never queried across clusters.
 */
export const clusterReports = sqliteTable('cluster_reports', {
  clusterId: integer('cluster_id')
    .primaryKey()
    .references(() => clusters.id, { onDelete: 'cascade' }),
  namespaces: text('namespaces', { mode: 'json' }).$type<string[]>().notNull().default([]),
  storageClasses: text('storage_classes', { mode: 'json' })
    .$type<StorageClassState[]>()
    .notNull()
    .default([]),
  ingressClasses: text('ingress_classes', { mode: 'json' })
    .$type<IngressClassState[]>()
    .notNull()
    .default([]),
  /** Components found installed: `{ id, managedByFleetdeck, evidence }`. */
  components: text('components', { mode: 'json' })
    .$type<DetectedComponent[]>()
    .notNull()
    .default([]),
  /** Preflight results: `{ id, status: pass|fail|unknown, detail }`. */
  preflight: text('preflight', { mode: 'json' })
    .$type<PreflightResult[]>()
    .notNull()
    .default([]),
  /** Optional resources the API server refused (403/404), reported not fatal. */
  warnings: text('warnings', { mode: 'json' }).$type<string[]>().notNull().default([]),
  snapshotAt: integer('snapshot_at', { mode: 'timestamp' }),
  updatedAt: updatedAt(),
});

// ── Workspaces ──────────────────────────────────────────────────────────────

export const workspaces = sqliteTable(
  'workspaces',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /** Exactly one, and one of its cluster's environments (enforced in the service). */
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'restrict' }),
    labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    tolerations: text('tolerations', { mode: 'json' }).$type<Toleration[]>().notNull().default([]),
    /** Null: no ResourceQuota. */
    quota: text('quota', { mode: 'json' }).$type<WorkspaceQuota | null>(),

    // Reconciliation (lib/workspaces.ts): the desired state above is stored first; the
    // agent applies it. A change bumps `desiredGeneration`; the agent's confirmation of a
    // generation sets `appliedGeneration`, so a late answer never marks a newer change synced.
    syncState: text('sync_state', { enum: WORKSPACE_SYNC_STATES }).$type<WorkspaceSyncState>().notNull().default('pending'),
    desiredGeneration: integer('desired_generation').notNull().default(1),
    appliedGeneration: integer('applied_generation').notNull().default(0),
    /** The agent's or Kubernetes' words when the last apply failed. */
    syncError: text('sync_error'),
    syncedAt: integer('synced_at', { mode: 'timestamp' }),
    /** What differs between the namespace in the cluster and the desired state; null when none. */
    drift: text('drift'),
    /** The managed ResourceQuota's used / hard figures, as last reported. */
    quotaUsage: text('quota_usage', { mode: 'json' }).$type<QuotaUsage | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('workspaces_cluster_name_unique').on(t.clusterId, t.name),
    index('workspaces_sync_idx').on(t.clusterId, t.syncState),
    index('workspaces_environment_idx').on(t.environmentId),
    check('workspaces_name_len', sql`length(${t.name}) between 3 and 32`),
  ],
);

// ── Connection history ──────────────────────────────────────────────────────

/** Every agent connect and disconnect with its reason; pruned after 30 days. */
export const connectionEvents = sqliteTable(
  'connection_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: CONNECTION_EVENT_KINDS }).notNull(),
    at: integer('at', { mode: 'timestamp' })
      .notNull()
      .default(sql`(unixepoch())`),
    /** Human words: the close reason, "agent restarted", "control plane stopped", … */
    reason: text('reason').notNull().default(''),
    agentVersion: text('agent_version'),
  },
  (t) => [
    index('connection_events_cluster_at_idx').on(t.clusterId, t.at),
    index('connection_events_at_idx').on(t.at),
  ],
);

// ── Alerts ──────────────────────────────────────────────────────────────────

export const notificationChannels = sqliteTable(
  'notification_channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    kind: text('kind', { enum: CHANNEL_KINDS }).notNull(),
    /** The webhook URL sealed with the control plane's secret key (it is a credential). */
    urlSealed: text('url_sealed').notNull(),
    /** What may be shown of the URL: its host and the last characters. */
    urlHint: text('url_hint').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('notification_channels_name_unique').on(t.name)],
);

export const alertRules = sqliteTable(
  'alert_rules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** The environment whose clusters the rule watches; null watches every cluster. */
    environmentId: integer('environment_id').references(() => environments.id, { onDelete: 'cascade' }),
    condition: text('condition', { enum: ALERT_CONDITIONS }).notNull(),
    /** How long the condition must hold before the alert fires. */
    forMinutes: integer('for_minutes').notNull().default(0),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('alert_rules_name_unique').on(t.name), index('alert_rules_environment_idx').on(t.environmentId)],
);

export const alertRuleChannels = sqliteTable(
  'alert_rule_channels',
  {
    ruleId: integer('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.channelId] }), index('alert_rule_channels_channel_idx').on(t.channelId)],
);

/** One row per (rule, cluster) incident; at most one firing at a time (deduplication). */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ALERT_STATES }).notNull().default('firing'),
    summary: text('summary').notNull(),
    firedAt: integer('fired_at', { mode: 'timestamp' }).notNull(),
    resolvedAt: integer('resolved_at', { mode: 'timestamp' }),
  },
  (t) => [
    uniqueIndex('alerts_open_unique')
      .on(t.ruleId, t.clusterId)
      .where(sql`state = 'firing'`),
    index('alerts_cluster_idx').on(t.clusterId),
    index('alerts_fired_at_idx').on(t.firedAt),
  ],
);

/** Each notification sent or to be sent, with its retries: the delivery log. */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Null for a channel's test message. */
    alertId: integer('alert_id').references(() => alerts.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    event: text('event', { enum: DELIVERY_EVENTS }).notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp' }),
    /** Our own words for the last failure ("HTTP 500", "timed out after 5 s"); never the response body. */
    lastError: text('last_error'),
    responseStatus: integer('response_status'),
    deliveredAt: integer('delivered_at', { mode: 'timestamp' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('alert_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('alert_deliveries_channel_idx').on(t.channelId),
    index('alert_deliveries_alert_idx').on(t.alertId),
  ],
);

/** Resource roles on workspaces: who may administer, edit or view one (teams later). */
export const workspaceRoles = sqliteTable(
  'workspace_roles',
  {
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: WORKSPACE_ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('workspace_roles_user_idx').on(t.userId)],
);

// ── Teams ───────────────────────────────────────────────────────────────────

export const teams = sqliteTable(
  'teams',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('teams_name_unique').on(t.name)],
);

/** A team's people; `manager` is a team lead, who changes the team's members. */
export const teamMembers = sqliteTable(
  'team_members',
  {
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: TEAM_MEMBER_ROLES }).notNull().default('member'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index('team_members_user_idx').on(t.userId)],
);

/** Workspace roles given to a whole team: every member holds the role on the workspace. */
export const workspaceTeamRoles = sqliteTable(
  'workspace_team_roles',
  {
    workspaceId: integer('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    role: text('role', { enum: WORKSPACE_ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.teamId] }), index('workspace_team_roles_team_idx').on(t.teamId)],
);

// ── Storage integrations and ML repos ───────────────────────────────────────

export const storageIntegrations = sqliteTable(
  'storage_integrations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    kind: text('kind', { enum: STORAGE_KINDS }).notNull(),
    /** `s3://bucket/prefix`, `gs://bucket/prefix` or `https://<account>.blob.core.windows.net/<container>/<prefix>`. */
    rootUri: text('root_uri').notNull(),
    /** What is not secret: region, endpoint, role ARN (lib/storage.ts). */
    settings: text('settings', { mode: 'json' }).$type<StorageSettings>().notNull().default({}),
    /** The credentials (JSON) sealed with the control plane's secret key; never returned. */
    credentialsSealed: text('credentials_sealed').notNull(),
    /** What may be shown of them: "access key …WXYZ", "service account x@y", "account devstoreaccount1". */
    credentialsHint: text('credentials_hint').notNull(),
    /** The last connection test's steps and outcome. */
    lastTest: text('last_test', { mode: 'json' }).$type<ConnectionTestResult | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('storage_integrations_name_unique').on(t.name)],
);

export const mlRepos = sqliteTable(
  'ml_repos',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The repo lives at `<integration root>/<name>`; an integration in use cannot be deleted. */
    storageIntegrationId: integer('storage_integration_id')
      .notNull()
      .references(() => storageIntegrations.id, { onDelete: 'restrict' }),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('ml_repos_name_unique').on(t.name), index('ml_repos_storage_idx').on(t.storageIntegrationId)],
);

/**
 * Access to a repo: to exactly one user, team or workspace (the column `subject_kind`
 * names), with a role and an optional expiry. Workspaces get viewer or editor only.
 */
export const mlRepoGrants = sqliteTable(
  'ml_repo_grants',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    repoId: integer('repo_id')
      .notNull()
      .references(() => mlRepos.id, { onDelete: 'cascade' }),
    subjectKind: text('subject_kind', { enum: GRANT_SUBJECT_KINDS }).notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    workspaceId: integer('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    role: text('role', { enum: REPO_ROLES }).notNull(),
    /** Null: never expires. An expired grant stays listed and gives no access. */
    expiresAt: integer('expires_at', { mode: 'timestamp' }),
    grantedByUserId: integer('granted_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('ml_repo_grants_user_unique').on(t.repoId, t.userId),
    uniqueIndex('ml_repo_grants_team_unique').on(t.repoId, t.teamId),
    uniqueIndex('ml_repo_grants_workspace_unique').on(t.repoId, t.workspaceId),
    index('ml_repo_grants_user_idx').on(t.userId),
    index('ml_repo_grants_team_idx').on(t.teamId),
    index('ml_repo_grants_workspace_idx').on(t.workspaceId),
    check(
      'ml_repo_grants_one_subject',
      sql`(${t.subjectKind} = 'user' and ${t.userId} is not null and ${t.teamId} is null and ${t.workspaceId} is null)
       or (${t.subjectKind} = 'team' and ${t.teamId} is not null and ${t.userId} is null and ${t.workspaceId} is null)
       or (${t.subjectKind} = 'workspace' and ${t.workspaceId} is not null and ${t.userId} is null and ${t.teamId} is null and ${t.role} <> 'admin')`,
    ),
  ],
);

// ── Metric summaries ────────────────────────────────────────────────────────

/** The latest summary each cluster's agent pushed (lib/metrics.ts): what fleet pages read. */
export const clusterMetricSummaries = sqliteTable('cluster_metric_summaries', {
  clusterId: integer('cluster_id')
    .primaryKey()
    .references(() => clusters.id, { onDelete: 'cascade' }),
  /** When the agent polled its Prometheus. */
  collectedAt: integer('collected_at', { mode: 'timestamp' }).notNull(),
  summary: text('summary', { mode: 'json' }).$type<MetricSummary>().notNull(),
  /** Why the last poll failed (Prometheus unreachable, a query refused); null when all answered. */
  error: text('error'),
  updatedAt: updatedAt(),
});

/** 24 hours of summaries per cluster, for sparklines; pruned by age. */
export const clusterMetricHistory = sqliteTable(
  'cluster_metric_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    collectedAt: integer('collected_at', { mode: 'timestamp' }).notNull(),
    summary: text('summary', { mode: 'json' }).$type<MetricSummary>().notNull(),
  },
  (t) => [index('cluster_metric_history_cluster_idx').on(t.clusterId, t.collectedAt), index('cluster_metric_history_at_idx').on(t.collectedAt)],
);
