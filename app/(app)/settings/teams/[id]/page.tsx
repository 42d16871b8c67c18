import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { TeamView } from '@/components/teams/team-view';
import { recordId } from '@/lib/schemas/limits';

export const metadata: Metadata = { title: 'Team' };

type Params = Promise<{ id: string }>;

/** One team, at /settings/teams/<id>. */
export default async function TeamPage({ params }: { params: Params }) {
  const id = recordId.safeParse(Number((await params).id));
  if (!id.success) notFound();
  return <TeamView id={id.data} />;
}
