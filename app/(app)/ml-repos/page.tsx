import type { Metadata } from 'next';
import { ReposView } from '@/components/ml-repos/repo-list';

export const metadata: Metadata = { title: 'ML Repos' };

export default function Page() {
  return <ReposView />;
}
