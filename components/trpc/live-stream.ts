'use client';

/**
 * The two halves every live view shares, whatever it subscribes to: folding a burst of
 * pushed events into few refetches, and telling the stale-data banner whether the event
 * stream is open.
 */
import { useCallback, useEffect, useId, useRef } from 'react';
import { useLiveConnection } from '@/components/trpc/live-connection';

/** A busy fleet changes many times a second; a page refetches at most this often. */
export const MIN_REFRESH_INTERVAL_MS = 1_000;

/** The fallback when the event stream is down: slow enough to be cheap. */
export const LIVE_FALLBACK_POLL_MS = 30_000;

/**
 * An `onData` handler that runs `refresh` for the first event at once and for the rest of
 * a burst once more at the end of the interval.
 */
export function useFoldedRefresh(refresh: () => void, minIntervalMs = MIN_REFRESH_INTERVAL_MS): () => void {
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  return useCallback(() => {
    if (pending.current) return;
    const run = () => {
      pending.current = undefined;
      lastRefresh.current = Date.now();
      latest.current();
    };
    const wait = lastRefresh.current + minIntervalMs - Date.now();
    if (wait <= 0) run();
    else pending.current = setTimeout(run, wait);
  }, [minIntervalMs]);
}

/**
 * Reports a subscription's health to the LiveConnectionProvider. `pending` is tRPC's word
 * for an open stream. The first connect is not a loss: only a stream that was open and is
 * now reconnecting (or failed) makes the page stale.
 */
export function useStreamHealth(status: string): void {
  const streamId = useId();
  const { reportStream, forgetStream } = useLiveConnection();
  const everConnected = useRef(false);
  const connected = status === 'pending';
  useEffect(() => {
    if (connected) everConnected.current = true;
    if (everConnected.current) reportStream(streamId, connected);
  }, [connected, reportStream, streamId]);
  useEffect(() => () => forgetStream(streamId), [forgetStream, streamId]);
}
