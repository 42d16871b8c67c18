'use client';

import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { type LiveState, liveStateOf } from '@/components/trpc/live-state';

export interface LiveConnection {
  state: LiveState;
  /** When the connection was lost: the page's data is as of then. Null while live. */
  lostAt: Date | null;
  /** A pushed-update stream says whether it is connected (`id` is the stream's own). */
  reportStream: (id: string, connected: boolean) => void;
  /** A stream that went away (its page unmounted) no longer counts. */
  forgetStream: (id: string) => void;
}

const NOT_WATCHED: LiveConnection = { state: 'live', lostAt: null, reportStream: () => {}, forgetStream: () => {} };

const LiveConnectionContext = createContext<LiveConnection>(NOT_WATCHED);

export function useLiveConnection(): LiveConnection {
  return useContext(LiveConnectionContext);
}

/**
 * Watches the browser's network and the pages' event streams to the control plane, so
 * a page never claims to be live when it is not (see ConnectionBanner). When the
 * connection comes back, every query is refetched: whatever changed meanwhile was missed.
 */
export function LiveConnectionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [online, setOnline] = useState(true);
  const [down, setDown] = useState<ReadonlySet<string>>(new Set());
  const [lostAt, setLostAt] = useState<Date | null>(null);

  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);

  const state = liveStateOf({ online, streamsDown: down.size });
  const wasLive = useRef(true);
  useEffect(() => {
    if (state !== 'live' && wasLive.current) setLostAt(new Date());
    if (state === 'live' && !wasLive.current) {
      setLostAt(null);
      void queryClient.invalidateQueries();
    }
    wasLive.current = state === 'live';
  }, [state, queryClient]);

  const reportStream = useCallback((id: string, connected: boolean) => {
    setDown((current) => {
      if (current.has(id) === !connected) return current;
      const next = new Set(current);
      if (connected) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const forgetStream = useCallback((id: string) => reportStream(id, true), [reportStream]);

  const value = useMemo(() => ({ state, lostAt, reportStream, forgetStream }), [state, lostAt, reportStream, forgetStream]);
  return <LiveConnectionContext.Provider value={value}>{children}</LiveConnectionContext.Provider>;
}
