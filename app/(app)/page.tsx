import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';

export const metadata: Metadata = { title: 'Overview' };

export default function OverviewPage() {
  return <ComingSoon title="Overview" what="Fleet health by status, provider and environment arrives with cluster attachment." />;
}
