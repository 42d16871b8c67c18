/** The sidebar, in order. `built: false` pages say plainly that they are coming. */
export const NAV_ITEMS = [
  { href: '/', label: 'Overview' },
  { href: '/clusters', label: 'Clusters' },
  { href: '/workspaces', label: 'Workspaces' },
  { href: '/environments', label: 'Environments' },
  { href: '/ml-repos', label: 'ML Repos' },
  { href: '/gpu-fleet', label: 'GPU Fleet' },
  { href: '/audit', label: 'Audit' },
  { href: '/settings', label: 'Settings' },
] as const;

export function isActive(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
