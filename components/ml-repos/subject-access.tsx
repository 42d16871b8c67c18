'use client';
/** "What can this one access": the ML repos a user or workspace reaches, and how (built by the ML repos slice). */
export type AccessSubject = { kind: 'user'; userId: number } | { kind: 'workspace'; workspaceId: number };

export function SubjectRepoAccess({ subject }: { subject: AccessSubject }) {
  return <p className="text-sm text-zinc-600 dark:text-zinc-400">ML repo access for {subject.kind} appears here.</p>;
}
