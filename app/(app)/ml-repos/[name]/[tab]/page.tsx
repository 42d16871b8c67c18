import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { findRepoTab } from '@/components/ml-repos/repo-tabs';

type Params = Promise<{ name: string; tab: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name, tab } = await params;
  const found = findRepoTab(tab);
  return { title: found ? `${found.label} · ${decodeURIComponent(name)}` : 'Not found' };
}

/** Every tab but the Overview (Access, Artifacts, Audit): the segment names it in REPO_TABS. */
export default async function RepoTabPage({ params }: { params: Params }) {
  const { name, tab } = await params;
  const found = findRepoTab(tab);
  if (!found) notFound();
  return <found.Component name={decodeURIComponent(name)} />;
}
