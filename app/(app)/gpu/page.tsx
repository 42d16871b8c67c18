import type { Metadata } from 'next';
import { Suspense } from 'react';
import { GpuFleetView } from '@/components/gpu-fleet/gpu-fleet-view';
import { LoadingState } from '@/components/ui/states';

export const metadata: Metadata = { title: 'GPU Fleet' };

export default function GpuFleetPage() {
  return (
    <Suspense fallback={<LoadingState label="Loading GPU capacity…" />}>
      <GpuFleetView />
    </Suspense>
  );
}
