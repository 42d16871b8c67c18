/**
 * The store's tables on PostgreSQL: the same tables, columns, defaults, indexes and
 * foreign keys as `sqlite.ts`, in PostgreSQL's own types. Keep the two in step:
 * `index.ts` fails to compile when their row types differ, and
 * `db/schema-drift.test.ts` fails when the migrated schemas do.
 *
 * Instants are `timestamptz` truncated to whole seconds, the precision SQLite's
 * `unixepoch()` columns keep, so both engines store the same instants.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
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

/** A point in time, stored to the second (as SQLite stores it), read back as a `Date`. */
const instant = customType<{ data: Date; driverData: string | Date }>({
  dataType: () => 'timestamp(0) with time zone',
  toDriver: (value) => new Date(Math.floor(value.getTime() / 1000) * 1000).toISOString(),
  fromDriver: (value) => (value instanceof Date ? value : new Date(value)),
});

const NOW = sql`date_trunc('second', now())`;
const createdAt = () => instant('created_at').notNull().default(NOW);
const updatedAt = () => instant('updated_at').notNull().default(NOW);
const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();

// ── People ──────────────────────────────────────────────────────────────────

export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    active: boolean('active').notNull().default(true),
    lastSignInAt: instant('last_sign_in_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

// ── Audit ───────────────────────────────────────────────────────────────────

export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    at: instant('at').notNull().default(NOW),
    actorUserId: integer('actor_user_id').references(() => users.id),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    targetLabel: text('target_label'),
    before: jsonb('before').$type<Record<string, unknown> | null>(),
    after: jsonb('after').$type<Record<string, unknown> | null>(),
    ip: text('ip'),
  },
  (t) => [
    index('audit_events_target_idx').on(t.targetType, t.targetId),
    index('audit_events_at_idx').on(t.at),
    index('audit_events_actor_idx').on(t.actorUserId),
  ],
);

// ── Environments ────────────────────────────────────────────────────────────

export const environments = pgTable(
  'environments',
  {
    id: id(),
    name: text('name').notNull(),
    color: text('color').notNull(),
    isProduction: boolean('is_production').notNull().default(false),
    optimizeFor: text('optimize_for', { enum: OPTIMIZE_FOR }).notNull().default('cost'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('environments_name_unique').on(t.name)],
);

// ── Clusters ────────────────────────────────────────────────────────────────

export const clusters = pgTable(
  'clusters',
  {
    id: id(),
    name: text('name').notNull(),
    provider: text('provider', { enum: PROVIDER_IDS }).notNull(),
    region: text('region').notNull(),
    baseDomains: jsonb('base_domains').$type<string[]>().notNull().default([]),
    prometheusUrl: text('prometheus_url').notNull(),
    nodePoolLabel: text('node_pool_label').notNull(),
    gpuTypeLabel: text('gpu_type_label').notNull(),
    addons: jsonb('addons').$type<Record<string, boolean>>().notNull().default({}),
    status: text('status', { enum: CLUSTER_STATUSES }).$type<ClusterStatus>().notNull().default('awaiting_agent'),
    statusReasons: jsonb('status_reasons').$type<string[]>().notNull().default([]),
    connectedAt: instant('connected_at'),
    lastSeenAt: instant('last_seen_at'),
    disconnectedAt: instant('disconnected_at'),
    agentVersion: text('agent_version'),
    kubernetesVersion: text('kubernetes_version'),
    nodeCount: integer('node_count'),
    readyNodeCount: integer('ready_node_count'),
    gpuCount: integer('gpu_count'),
    gpusByType: jsonb('gpus_by_type').$type<Record<string, number>>(),
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

export const clusterEnvironments = pgTable(
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

export const clusterTokens = pgTable(
  'cluster_tokens',
  {
    id: id(),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: instant('revoked_at'),
  },
  (t) => [
    uniqueIndex('cluster_tokens_hash_unique').on(t.tokenHash),
    index('cluster_tokens_cluster_idx').on(t.clusterId),
  ],
);

// ── Reported cluster state (written by the agent gateway) ───────────────────

export const clusterNodes = pgTable(
  'cluster_nodes',
  {
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nodePool: text('node_pool'),
    gpuType: text('gpu_type'),
    gpuCount: integer('gpu_count').notNull().default(0),
    ready: boolean('ready').notNull(),
    capacity: jsonb('capacity').$type<Record<string, string>>().notNull().default({}),
    taints: jsonb('taints').$type<Taint[]>().notNull().default([]),
    kubeletVersion: text('kubelet_version'),
    conditions: jsonb('conditions').$type<NodeCondition[]>().notNull().default([]),
    readySince: instant('ready_since'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.name] }),
    index('cluster_nodes_gpu_type_idx').on(t.gpuType),
  ],
);

export const clusterReports = pgTable('cluster_reports', {
  clusterId: integer('cluster_id')
    .primaryKey()
    .references(() => clusters.id, { onDelete: 'cascade' }),
  namespaces: jsonb('namespaces').$type<string[]>().notNull().default([]),
  storageClasses: jsonb('storage_classes').$type<StorageClassState[]>().notNull().default([]),
  ingressClasses: jsonb('ingress_classes').$type<IngressClassState[]>().notNull().default([]),
  components: jsonb('components').$type<DetectedComponent[]>().notNull().default([]),
  preflight: jsonb('preflight').$type<PreflightResult[]>().notNull().default([]),
  warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
  snapshotAt: instant('snapshot_at'),
  updatedAt: updatedAt(),
});

// ── Workspaces ──────────────────────────────────────────────────────────────

export const workspaces = pgTable(
  'workspaces',
  {
    id: id(),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'restrict' }),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    tolerations: jsonb('tolerations').$type<Toleration[]>().notNull().default([]),
    quota: jsonb('quota').$type<WorkspaceQuota | null>(),
    syncState: text('sync_state', { enum: WORKSPACE_SYNC_STATES }).$type<WorkspaceSyncState>().notNull().default('pending'),
    desiredGeneration: integer('desired_generation').notNull().default(1),
    appliedGeneration: integer('applied_generation').notNull().default(0),
    syncError: text('sync_error'),
    syncedAt: instant('synced_at'),
    drift: text('drift'),
    quotaUsage: jsonb('quota_usage').$type<QuotaUsage | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('workspaces_cluster_name_unique').on(t.clusterId, t.name),
    index('workspaces_sync_idx').on(t.clusterId, t.syncState),
    index('workspaces_environment_idx').on(t.environmentId),
    check('workspaces_name_len', sql`char_length(${t.name}) between 3 and 32`),
  ],
);

// ── Connection history ──────────────────────────────────────────────────────

export const connectionEvents = pgTable(
  'connection_events',
  {
    id: id(),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: CONNECTION_EVENT_KINDS }).notNull(),
    at: instant('at').notNull().default(NOW),
    reason: text('reason').notNull().default(''),
    agentVersion: text('agent_version'),
  },
  (t) => [
    index('connection_events_cluster_at_idx').on(t.clusterId, t.at),
    index('connection_events_at_idx').on(t.at),
  ],
);

// ── Alerts ──────────────────────────────────────────────────────────────────

export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind', { enum: CHANNEL_KINDS }).notNull(),
    urlSealed: text('url_sealed').notNull(),
    urlHint: text('url_hint').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('notification_channels_name_unique').on(t.name)],
);

export const alertRules = pgTable(
  'alert_rules',
  {
    id: id(),
    name: text('name').notNull(),
    environmentId: integer('environment_id').references(() => environments.id, { onDelete: 'cascade' }),
    condition: text('condition', { enum: ALERT_CONDITIONS }).notNull(),
    forMinutes: integer('for_minutes').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('alert_rules_name_unique').on(t.name), index('alert_rules_environment_idx').on(t.environmentId)],
);

export const alertRuleChannels = pgTable(
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

export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ALERT_STATES }).notNull().default('firing'),
    summary: text('summary').notNull(),
    firedAt: instant('fired_at').notNull(),
    resolvedAt: instant('resolved_at'),
  },
  (t) => [
    uniqueIndex('alerts_open_unique')
      .on(t.ruleId, t.clusterId)
      .where(sql`state = 'firing'`),
    index('alerts_cluster_idx').on(t.clusterId),
    index('alerts_fired_at_idx').on(t.firedAt),
  ],
);

export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: id(),
    alertId: integer('alert_id').references(() => alerts.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    event: text('event', { enum: DELIVERY_EVENTS }).notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at'),
    lastError: text('last_error'),
    responseStatus: integer('response_status'),
    deliveredAt: instant('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('alert_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('alert_deliveries_channel_idx').on(t.channelId),
    index('alert_deliveries_alert_idx').on(t.alertId),
  ],
);

export const workspaceRoles = pgTable(
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

export const teams = pgTable(
  'teams',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('teams_name_unique').on(t.name)],
);

export const teamMembers = pgTable(
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

export const workspaceTeamRoles = pgTable(
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

export const storageIntegrations = pgTable(
  'storage_integrations',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind', { enum: STORAGE_KINDS }).notNull(),
    rootUri: text('root_uri').notNull(),
    settings: jsonb('settings').$type<StorageSettings>().notNull().default({}),
    credentialsSealed: text('credentials_sealed').notNull(),
    credentialsHint: text('credentials_hint').notNull(),
    lastTest: jsonb('last_test').$type<ConnectionTestResult | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('storage_integrations_name_unique').on(t.name)],
);

export const mlRepos = pgTable(
  'ml_repos',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    storageIntegrationId: integer('storage_integration_id')
      .notNull()
      .references(() => storageIntegrations.id, { onDelete: 'restrict' }),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('ml_repos_name_unique').on(t.name), index('ml_repos_storage_idx').on(t.storageIntegrationId)],
);

export const mlRepoGrants = pgTable(
  'ml_repo_grants',
  {
    id: id(),
    repoId: integer('repo_id')
      .notNull()
      .references(() => mlRepos.id, { onDelete: 'cascade' }),
    subjectKind: text('subject_kind', { enum: GRANT_SUBJECT_KINDS }).notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    workspaceId: integer('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    role: text('role', { enum: REPO_ROLES }).notNull(),
    expiresAt: instant('expires_at'),
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

export const clusterMetricSummaries = pgTable('cluster_metric_summaries', {
  clusterId: integer('cluster_id')
    .primaryKey()
    .references(() => clusters.id, { onDelete: 'cascade' }),
  collectedAt: instant('collected_at').notNull(),
  summary: jsonb('summary').$type<MetricSummary>().notNull(),
  error: text('error'),
  updatedAt: updatedAt(),
});

export const clusterMetricHistory = pgTable(
  'cluster_metric_history',
  {
    id: id(),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    collectedAt: instant('collected_at').notNull(),
    summary: jsonb('summary').$type<MetricSummary>().notNull(),
  },
  (t) => [index('cluster_metric_history_cluster_idx').on(t.clusterId, t.collectedAt), index('cluster_metric_history_at_idx').on(t.collectedAt)],
);
