import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';

export const metadata: Metadata = { title: 'ML Repos' };

export default function Page() {
  return <ComingSoon title="ML Repos" what="ML repos on storage integrations, with access grants to users, teams and workspaces, arrive in a coming release." />;
}
