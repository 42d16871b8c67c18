import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoadingState } from '@/components/ui/states';
import { NewWorkspaceView } from '@/components/workspaces/new-workspace-view';

export const metadata: Metadata = { title: 'New workspace' };

export default function NewWorkspacePage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <NewWorkspaceView />
    </Suspense>
  );
}
