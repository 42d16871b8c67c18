import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';

export const metadata: Metadata = { title: 'GPU Fleet' };

export default function Page() {
  return <ComingSoon title="GPU Fleet" what="The fleet-wide view of GPU capacity, utilisation and health arrives in a coming release." />;
}
