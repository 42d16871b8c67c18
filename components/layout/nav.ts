import { type Permission, type Role, roleHas } from '@/lib/permissions';

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to roles holding this permission: a link to a page that refuses you is noise. */
  permission?: Permission;
}

/** The sidebar, in order. `built: false` pages say plainly that they are coming. */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/clusters', label: 'Clusters' },
  { href: '/alerts', label: 'Alerts', permission: 'alert.read' },
  { href: '/workspaces', label: 'Workspaces' },
  { href: '/environments', label: 'Environments' },
  { href: '/ml-repos', label: 'ML Repos' },
  { href: '/gpu', label: 'GPU Fleet' },
  { href: '/audit', label: 'Audit', permission: 'audit.read' },
  { href: '/settings', label: 'Settings' },
];

/** The sidebar lines `role` may open. */
export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.permission || roleHas(role, item.permission));
}

export function isActive(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
