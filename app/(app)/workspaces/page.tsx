import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoadingState } from '@/components/ui/states';
import { WorkspacesView } from '@/components/workspaces/workspaces-view';

export const metadata: Metadata = { title: 'Workspaces' };

export default function WorkspacesPage() {
  return (
    <Suspense fallback={<LoadingState label="Loading workspaces…" />}>
      <WorkspacesView />
    </Suspense>
  );
}
