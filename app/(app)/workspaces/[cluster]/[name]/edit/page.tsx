import type { Metadata } from 'next';
import { EditWorkspaceView } from '@/components/workspaces/edit-workspace-view';
import { workspaceFqn } from '@/lib/workspaces';

type Params = Promise<{ cluster: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { cluster, name } = await params;
  return { title: `Edit ${workspaceFqn(decodeURIComponent(cluster), decodeURIComponent(name))}` };
}

export default async function EditWorkspacePage({ params }: { params: Params }) {
  const { cluster, name } = await params;
  return <EditWorkspaceView clusterName={decodeURIComponent(cluster)} name={decodeURIComponent(name)} />;
}
