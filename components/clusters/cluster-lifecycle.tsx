'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ClusterTokenReveal, InstallCommands, UninstallCommands } from '@/components/clusters/install-instructions';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { errorMessage } from '@/lib/form-errors';
import { DEFAULT_TOKEN_SECRET_NAME, renderUninstallCommands } from '@/lib/install/manifests';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { formatInstant } from '@/lib/format-time';

type Rotated = RouterOutputs['clusters']['rotateToken'];

/**
 * Whether the cluster belongs to a production environment: destructive actions on it ask
 * for its name to be typed. Read from the cluster page's own query (same key, so cached).
 */
function useIsProduction(name: string): boolean {
  const trpc = useTRPC();
  const detail = useQuery(trpc.clusters.get.queryOptions({ name }));
  return detail.data?.environments.some((environment) => environment.isProduction) ?? false;
}

/** The active token's prefix, and rotation: a new token shown once, the old one dead at once. */
export function ClusterTokenPanel({
  name,
  token,
  canManage,
}: {
  name: string;
  token: { prefix: string; createdAt: Date } | null;
  canManage: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const production = useIsProduction(name);
  const rotate = useMutation(
    trpc.clusters.rotateToken.mutationOptions({
      onSuccess: (result) => {
        setRotated(result);
        setConfirming(false);
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ name }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );

  return (
    <div className="space-y-3">
      <p className="text-sm">
        {token ? (
          <>
            Active token <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">{token.prefix}…</code>, created{' '}
            {formatInstant(token.createdAt)}.
          </>
        ) : (
          'No active token: the agent cannot connect until a token is minted.'
        )}
      </p>
      {canManage && (
        <Button variant="secondary" onClick={() => (rotate.reset(), setConfirming(true))}>
          Rotate token
        </Button>
      )}
      {rotated && (
        <div className="space-y-3">
          <ClusterTokenReveal token={rotated.token} />
          <p className="text-sm">Replace the Secret in the cluster with the new token and restart the agent:</p>
          <InstallCommands install={rotated.install} />
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Rotate the token of ${name}?`}
        description={
          'A new token is minted and shown once. The current token stops working immediately and the connected agent is disconnected until it gets the new one.' +
          (production ? ' This is a production cluster: type its name to confirm.' : '')
        }
        confirmLabel="Rotate token"
        destructive
        typeToConfirm={production ? name : undefined}
        pending={rotate.isPending}
        error={rotate.error ? errorMessage(rotate.error) : null}
        onCancel={() => setConfirming(false)}
        onConfirm={() => rotate.mutate(production ? { name, confirmName: name } : { name })}
      />
    </div>
  );
}

/** Detach: type the name to confirm; refused (naming them) while workspaces remain. */
export function DetachClusterButton({ name, workspaceNames }: { name: string; workspaceNames: readonly string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const detach = useMutation(
    trpc.clusters.detach.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
        router.push('/clusters');
      },
    }),
  );
  return (
    <>
      <Button variant="danger" onClick={() => (detach.reset(), setConfirming(true))}>
        Detach cluster
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Detach ${name}?`}
        description={
          workspaceNames.length > 0 ? (
            <>
              This cluster still has workspaces: <strong>{workspaceNames.join(', ')}</strong>. Delete them first; detaching is refused
              while they remain.
            </>
          ) : (
            <>
              Its tokens are revoked, the agent is disconnected and the cluster leaves the fleet. The audit trail keeps the record.
              Afterwards, remove the agent from the cluster (copy these now: this page closes on detach):
              <UninstallCommands commands={renderUninstallCommands({ tokenSecretName: DEFAULT_TOKEN_SECRET_NAME })} />
            </>
          )
        }
        confirmLabel="Detach cluster"
        destructive
        typeToConfirm={name}
        pending={detach.isPending}
        error={detach.error ? errorMessage(detach.error) : null}
        onCancel={() => setConfirming(false)}
        onConfirm={() => detach.mutate({ name, confirmName: name })}
      />
    </>
  );
}
