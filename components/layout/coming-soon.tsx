import { PageHeader } from '@/components/ui/page-header';
import { EmptyState } from '@/components/ui/states';

/** For sections whose feature has not shipped yet: say so plainly, no fake data. */
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <>
      <PageHeader title={title} />
      <EmptyState title={`${title} is not built yet`}>{what}</EmptyState>
    </>
  );
}
