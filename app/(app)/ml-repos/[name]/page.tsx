import type { Metadata } from 'next';
import { RepoOverviewTab } from '@/components/ml-repos/repo-overview-tab';

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `ML repo ${decodeURIComponent(name)}` };
}

export default async function RepoOverviewPage({ params }: { params: Params }) {
  const { name } = await params;
  return <RepoOverviewTab name={decodeURIComponent(name)} />;
}
