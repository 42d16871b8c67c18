/** Small pieces the ML repo screens share: where a repo's page is, and how an access level looks. */
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { RepoAccess } from '@/lib/ml-repos';

export function repoHref(name: string, segment = ''): string {
  const base = `/ml-repos/${encodeURIComponent(name)}`;
  return segment ? `${base}/${segment}` : base;
}

const ACCESS_TONES: Record<RepoAccess, BadgeTone> = { admin: 'blue', editor: 'green', viewer: 'neutral', none: 'red' };

/** An effective role (or "none"), as a badge. */
export function AccessBadge({ access }: { access: RepoAccess }) {
  return <Badge tone={ACCESS_TONES[access]}>{access === 'none' ? 'No access' : access}</Badge>;
}

export function ProductionBadge() {
  return <Badge tone="amber">Production</Badge>;
}

export function ExpiredBadge() {
  return <Badge tone="red">Expired</Badge>;
}

/** A date as the expiry column shows it: the day, or "Never". */
export function formatExpiry(at: Date | null): string {
  return at ? at.toISOString().slice(0, 10) : 'Never';
}
