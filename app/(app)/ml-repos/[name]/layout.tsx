import type { ReactNode } from 'react';
import { RepoView } from '@/components/ml-repos/repo-view';

type Params = Promise<{ name: string }>;

/** The frame every tab of a repo's page shares: header, the caller's access, tab bar. */
export default async function RepoLayout({ params, children }: { params: Params; children: ReactNode }) {
  const { name } = await params;
  return <RepoView name={decodeURIComponent(name)}>{children}</RepoView>;
}
