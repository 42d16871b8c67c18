'use client';
/** A repo's Artifacts tab: what is stored under its location (built by the artifacts slice). */
export function RepoArtifactsTab({ name }: { name: string }) {
  return <p className="text-sm text-zinc-600 dark:text-zinc-400">Artifacts of {name} appear here.</p>;
}
