/**
 * The permission model, shared by the server (which enforces it) and the browser
 * (which hides what a user cannot do). Tenant roles: `admin` and `member`.
 */
export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission a procedure may declare, and the tenant roles that hold it. */
export const PERMISSIONS = {
  'environment.read': ['admin', 'member'],
  'environment.manage': ['admin'],
  'user.read': ['admin'],
  'user.manage': ['admin'],
  'audit.read': ['admin'],
  'cluster.read': ['admin', 'member'],
  'cluster.manage': ['admin'],
  /** Alerts, the delivery log, and channels and rules (URLs only as hints): on-call members read them. */
  'alert.read': ['admin', 'member'],
  /** Channels (their URLs are credentials) and rules. */
  'alert.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * What a procedure declares: a permission, or one of the two levels below any
 * permission. `public` is reserved for sign-in and health; `authenticated` for what
 * every signed-in user may do about themselves (who am I, sign out).
 */
export type AccessDeclaration = Permission | 'public' | 'authenticated';

export function roleHas(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
