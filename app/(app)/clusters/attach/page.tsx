import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AttachClusterView } from '@/components/clusters/attach-cluster-view';
import { LoadingState } from '@/components/ui/states';

export const metadata: Metadata = { title: 'Attach Existing Cluster' };

export default function AttachClusterPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <AttachClusterView />
    </Suspense>
  );
}
