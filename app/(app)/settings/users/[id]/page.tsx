import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { UserView } from '@/components/users/user-view';
import { recordId } from '@/lib/schemas/limits';

export const metadata: Metadata = { title: 'User' };

type Params = Promise<{ id: string }>;

/** A user's page, at /settings/users/<id>: admins open anyone's, a member their own (the server decides). */
export default async function UserPage({ params }: { params: Params }) {
  const id = recordId.safeParse(Number((await params).id));
  if (!id.success) notFound();
  return <UserView id={id.data} />;
}
