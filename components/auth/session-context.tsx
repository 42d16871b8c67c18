'use client';

import { createContext, type ReactNode, useContext } from 'react';
import { type Permission, roleHas } from '@/lib/permissions';
import type { SessionUser } from '@/server/access/principal';

const SessionContext = createContext<SessionUser | null>(null);

export function SessionProvider({ user, children }: { user: SessionUser; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

export function useSessionUser(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSessionUser outside the signed-in app');
  return user;
}

/** Whether the signed-in user may do this; the server checks again on every call. */
export function useCan(permission: Permission): boolean {
  return roleHas(useSessionUser().role, permission);
}
