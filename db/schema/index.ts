/**
 * The store's tables, as services see them. Services never import an engine's tables:
 * they take `store.tables`, which holds the SQLite or the PostgreSQL declarations of the
 * same tables. Both are typed here as the PostgreSQL ones (whose query builders only
 * offer what both engines run when awaited), and the check below fails to compile the
 * day the two declarations give different row types.
 */
import type { InferSelectModel, Table } from 'drizzle-orm';
import type * as postgres from './postgres';
import type * as sqlite from './sqlite';

export type Tables = typeof postgres;
export type TableName = keyof Tables;

type Rows<S> = { [K in keyof S]: S[K] extends Table ? InferSelectModel<S[K]> : never };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compile-time drift check between the two declarations of every table. (Insert types
 * are not compared: SQLite makes any integer primary key optional on insert.)
 */
export const SCHEMAS_AGREE: Same<Rows<typeof postgres>, Rows<typeof sqlite>> = true;

export type UserRow = InferSelectModel<Tables['users']>;
export type ClusterRow = InferSelectModel<Tables['clusters']>;
export type EnvironmentRow = InferSelectModel<Tables['environments']>;
export type ClusterNodeRow = InferSelectModel<Tables['clusterNodes']>;
export type ClusterReportRow = InferSelectModel<Tables['clusterReports']>;
export type AuditEventRow = InferSelectModel<Tables['auditEvents']>;
export type ConnectionEventRow = InferSelectModel<Tables['connectionEvents']>;
export type NotificationChannelRow = InferSelectModel<Tables['notificationChannels']>;
export type AlertRuleRow = InferSelectModel<Tables['alertRules']>;
export type AlertRow = InferSelectModel<Tables['alerts']>;
export type AlertDeliveryRow = InferSelectModel<Tables['alertDeliveries']>;
export type WorkspaceRow = InferSelectModel<Tables['workspaces']>;
export type WorkspaceRoleRow = InferSelectModel<Tables['workspaceRoles']>;
export type TeamRow = InferSelectModel<Tables['teams']>;
export type TeamMemberRow = InferSelectModel<Tables['teamMembers']>;
export type WorkspaceTeamRoleRow = InferSelectModel<Tables['workspaceTeamRoles']>;
export type StorageIntegrationRow = InferSelectModel<Tables['storageIntegrations']>;
export type MlRepoRow = InferSelectModel<Tables['mlRepos']>;
export type MlRepoGrantRow = InferSelectModel<Tables['mlRepoGrants']>;
export type ClusterMetricSummaryRow = InferSelectModel<Tables['clusterMetricSummaries']>;
export type ClusterMetricHistoryRow = InferSelectModel<Tables['clusterMetricHistory']>;
