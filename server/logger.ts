/**
 * Structured logs: one JSON object per line on stdout (stderr for errors).
 * Callers pass facts, never secrets: tokens and passwords have no field here.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = LEVELS[(process.env.LOG_LEVEL as Level | undefined) ?? 'info'] ?? LEVELS.info;

function write(level: Level, msg: string, fields?: Fields): void {
  if (LEVELS[level] < threshold) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

function makeLogger(bound: Fields): Logger {
  return {
    debug: (msg, f) => write('debug', msg, { ...bound, ...f }),
    info: (msg, f) => write('info', msg, { ...bound, ...f }),
    warn: (msg, f) => write('warn', msg, { ...bound, ...f }),
    error: (msg, f) => write('error', msg, { ...bound, ...f }),
    child: (f) => makeLogger({ ...bound, ...f }),
  };
}

export const logger = makeLogger({});
