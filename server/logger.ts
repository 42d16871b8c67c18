/**
 * Structured logs: one JSON object per line on stdout (stderr for errors).
 * Callers pass facts, never secrets: tokens and passwords have no field here.
 * The composition root makes the one logger at the configured level; components take
 * `log.child({ component })`.
 */
import { DrizzleQueryError } from 'drizzle-orm';

export type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/** Where lines go; tests pass one that collects them. */
export type LogSink = (level: Level, line: string) => void;

const stdioSink: LogSink = (level, line) => {
  if (level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

/**
 * Every line is bounded, whatever it carries: a string field is cut past this many
 * characters (an agent's 5 MB error message, a pasted blob)…
 */
export const MAX_LOG_FIELD_CHARS = 2_048;
/** …and a whole line past this many UTF-8 bytes keeps only a marked preview of its fields. */
export const MAX_LOG_LINE_BYTES = 8_192;
/** Arrays and objects in fields: items or keys shown, and how deep. */
const MAX_LOG_ITEMS = 50;
const MAX_LOG_DEPTH = 5;

function boundedString(text: string, max = MAX_LOG_FIELD_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

/** A copy of a field value small enough to log; walks at most MAX_LOG_ITEMS per level, MAX_LOG_DEPTH levels. */
function boundedValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return boundedString(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if ('toJSON' in value && typeof value.toJSON === 'function') return boundedValue(value.toJSON(), depth);
  if (depth >= MAX_LOG_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_LOG_ITEMS).map((item: unknown) => boundedValue(item, depth + 1));
    if (value.length > MAX_LOG_ITEMS) shown.push(`…[${value.length - MAX_LOG_ITEMS} more items]`);
    return shown;
  }
  const shown: Record<string, unknown> = {};
  let keys = 0;
  // for…in rather than Object.keys: an object with a million keys is not copied to be cut.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++keys > MAX_LOG_ITEMS) {
      shown['…'] = 'more keys not shown';
      break;
    }
    shown[boundedString(key, 128)] = boundedValue((value as Record<string, unknown>)[key], depth + 1);
  }
  return shown;
}

function logLine(at: Level, msg: string, bound: Fields, fields: Fields | undefined): string {
  const head = { time: new Date().toISOString(), level: at, msg: boundedString(msg, 512) };
  const shown = boundedValue({ ...bound, ...fields }, 0) as Fields;
  const line = JSON.stringify({ ...head, ...shown });
  if (line.length <= MAX_LOG_LINE_BYTES / 3 || Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES) return line;
  // Too many long fields: keep the start of them as one string, marked, halving until it fits.
  const all = JSON.stringify(shown);
  for (let keep = MAX_LOG_LINE_BYTES / 2; ; keep = Math.floor(keep / 2)) {
    const cut = JSON.stringify({ ...head, truncated: true, fields: all.slice(0, keep) });
    if (keep === 0 || Buffer.byteLength(cut) <= MAX_LOG_LINE_BYTES) return cut;
  }
}

export function createLogger(level: Level = 'info', sink: LogSink = stdioSink): Logger {
  const threshold = LEVELS[level];
  const make = (bound: Fields): Logger => {
    const write = (at: Level, msg: string, fields?: Fields) => {
      if (LEVELS[at] < threshold) return;
      sink(at, logLine(at, msg, bound, fields));
    };
    return {
      debug: (msg, f) => write('debug', msg, f),
      info: (msg, f) => write('info', msg, f),
      warn: (msg, f) => write('warn', msg, f),
      error: (msg, f) => write('error', msg, f),
      child: (f) => make({ ...bound, ...f }),
    };
  };
  return make({});
}

/** Discards everything: for tests and benchmarks that do not assert on logs. */
export const silentLogger: Logger = createLogger('error', () => undefined);

/**
 * The message of anything thrown, for a log field. A failed query's own message is
 * drizzle's "Failed query: <SQL> params: <values>", and the values can be a token hash
 * or a password hash: the driver's error underneath says what went wrong without them.
 */
export function errorMessage(error: unknown): string {
  let inner = error;
  while (inner instanceof DrizzleQueryError && inner.cause !== undefined) inner = inner.cause;
  if (inner instanceof DrizzleQueryError) return 'A database query failed';
  return inner instanceof Error ? inner.message : String(inner);
}
