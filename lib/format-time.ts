/**
 * One way to write a moment, for the server's words (status reasons, history) and the
 * browser's alike: "23 Nov 2026, 14:03 UTC". Always UTC and never the locale's, so a
 * reason stored by the server reads the same in every browser, and sorts of days and
 * months never depend on where the page is opened.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const twoDigits = (value: number): string => String(value).padStart(2, '0');

/** "23 Nov 2026, 14:03 UTC". */
export function formatInstant(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${formatClock(at)} UTC`;
}

/** "23 Nov 2026, 14:03:07 UTC": where seconds tell events apart (a connection history). */
export function formatInstantWithSeconds(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${formatClock(at)}:${twoDigits(at.getUTCSeconds())} UTC`;
}

function formatClock(at: Date): string {
  return `${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())}`;
}

/**
 * A length of time in the largest units that matter: "45 s", "12 min", "3 h 20 min",
 * "2 d 4 h". Rounded down: "1 h" is never said of 59 minutes.
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "1 reconnect", "4 reconnects": English plurals of our own nouns, never "reconnect(s)". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}
