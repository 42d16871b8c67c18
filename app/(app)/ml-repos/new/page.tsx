import type { Metadata } from 'next';
import { NewRepoView } from '@/components/ml-repos/new-repo-view';

export const metadata: Metadata = { title: 'New ML repo' };

export default function Page() {
  return <NewRepoView />;
}
