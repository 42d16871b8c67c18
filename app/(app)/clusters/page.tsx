import type { Metadata } from 'next';
import { Suspense } from 'react';
import { FleetView } from '@/components/clusters/fleet-view';
import { LoadingState } from '@/components/ui/states';

export const metadata: Metadata = { title: 'Clusters' };

export default function ClustersPage() {
  return (
    <Suspense fallback={<LoadingState label="Loading clusters…" />}>
      <FleetView />
    </Suspense>
  );
}
