import type { Metadata } from 'next';
import { WorkspaceView } from '@/components/workspaces/workspace-view';
import { workspaceFqn } from '@/lib/workspaces';

type Params = Promise<{ cluster: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { cluster, name } = await params;
  return { title: workspaceFqn(decodeURIComponent(cluster), decodeURIComponent(name)) };
}

/** One workspace, at /workspaces/<cluster>/<name> (its FQN in the address). */
export default async function WorkspacePage({ params }: { params: Params }) {
  const { cluster, name } = await params;
  return <WorkspaceView clusterName={decodeURIComponent(cluster)} name={decodeURIComponent(name)} />;
}
