/**
 * The agent's structured logs: one JSON object per line. Kept separate from the
 * server's logger because agents log to their own pod and tests capture the lines of
 * many agents in one process.
 *
 * Secrets (the cluster token) are registered up front and scrubbed from every line,
 * as a second line of defence behind "never pass the token to a log call".
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface AgentLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): AgentLogger;
}

export interface AgentLoggerOptions {
  /** Where each JSON line goes; default stdout (stderr for errors). */
  write?: (line: string, level: LogLevel) => void;
  /** Lowest level written; default `info` (or `LOG_LEVEL`). */
  level?: LogLevel;
  /** Strings that must never appear in a line, replaced by `[redacted]`. */
  secrets?: readonly string[];
  /** Fields on every line, e.g. `{ component: 'agent', cluster: 'gpu-west' }`. */
  fields?: LogFields;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in LEVELS;
}

function defaultWrite(line: string, level: LogLevel): void {
  (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
}

/** Errors are not JSON-serialisable as is; keep their message and code, not stacks with paths. */
function normalise(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name, message: value.message, ...(code ? { code } : {}) };
  }
  return value;
}

export function createAgentLogger(options: AgentLoggerOptions = {}): AgentLogger {
  const envLevel = process.env.LOG_LEVEL;
  const threshold = LEVELS[options.level ?? (isLogLevel(envLevel) ? envLevel : 'info')];
  const write = options.write ?? defaultWrite;
  // Very short "secrets" would scrub innocent text; real tokens are ≥ 32 bytes.
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);

  function scrub(line: string): string {
    let out = line;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  function make(bound: LogFields): AgentLogger {
    const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LEVELS[level] < threshold) return;
      const entry: LogFields = { time: new Date().toISOString(), level, msg, ...bound };
      for (const [key, value] of Object.entries(fields ?? {})) entry[key] = normalise(value);
      write(scrub(JSON.stringify(entry)), level);
    };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (fields) => make({ ...bound, ...fields }),
    };
  }
  return make(options.fields ?? {});
}
