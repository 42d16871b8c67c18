/**
 * Whether what a page shows is live. The page is live while the browser is online and
 * every pushed-update stream it opened is connected; otherwise its data is only as fresh
 * as the moment the connection was lost.
 */
export type LiveState = 'live' | 'reconnecting' | 'offline';

export function liveStateOf({ online, streamsDown }: { online: boolean; streamsDown: number }): LiveState {
  if (!online) return 'offline';
  return streamsDown > 0 ? 'reconnecting' : 'live';
}

/** "15:42:07": the clock time data was last known fresh, to the second. */
export function formatAsOf(at: Date): string {
  return at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
