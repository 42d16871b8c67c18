import Link from 'next/link';
import { EmptyState } from '@/components/ui/states';

/** The fleet is empty: admins get the way to attach, members learn who can. */
export function NoClustersYet({ canManage, adminHint, memberHint }: { canManage: boolean; adminHint: string; memberHint: string }) {
  return (
    <EmptyState
      title="No clusters attached yet"
      action={
        canManage ? (
          <Link href="/clusters/attach" className="font-medium text-indigo-700 underline dark:text-indigo-300">
            Attach Existing Cluster
          </Link>
        ) : undefined
      }
    >
      {canManage ? adminHint : memberHint}
    </EmptyState>
  );
}
