/**
 * The repo page's tabs, each its own URL under `/ml-repos/<name>`. The route
 * `[name]/[tab]` serves every segment listed here.
 */
import type { ComponentType } from 'react';
import { RepoArtifactsTab } from '@/components/ml-repos/artifacts-tab';
import { RepoAccessTab } from '@/components/ml-repos/repo-access-tab';
import { RepoAuditTab } from '@/components/ml-repos/repo-audit-tab';
import { RepoOverviewTab } from '@/components/ml-repos/repo-overview-tab';

export interface RepoTab {
  /** The URL segment after `/ml-repos/<name>`; empty for the Overview. */
  segment: string;
  label: string;
  Component: ComponentType<{ name: string }>;
}

export const REPO_TABS: readonly RepoTab[] = [
  { segment: '', label: 'Overview', Component: RepoOverviewTab },
  { segment: 'access', label: 'Access', Component: RepoAccessTab },
  { segment: 'artifacts', label: 'Artifacts', Component: RepoArtifactsTab },
  { segment: 'audit', label: 'Audit', Component: RepoAuditTab },
];

/** The tab a URL segment names (undefined for none: a 404). */
export function findRepoTab(segment: string): RepoTab | undefined {
  return segment === '' ? undefined : REPO_TABS.find((tab) => tab.segment === segment);
}
