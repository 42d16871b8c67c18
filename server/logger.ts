/**
 * Structured logs: one JSON object per line on stdout (stderr for errors).
 * Callers pass facts, never secrets: tokens and passwords have no field here.
 * The composition root makes the one logger at the configured level; components take
 * `log.child({ component })`.
 */
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

export function createLogger(level: Level = 'info', sink: LogSink = stdioSink): Logger {
  const threshold = LEVELS[level];
  const make = (bound: Fields): Logger => {
    const write = (at: Level, msg: string, fields?: Fields) => {
      if (LEVELS[at] < threshold) return;
      sink(at, JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...bound, ...fields }));
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

/** The message of anything thrown, for a log field. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
