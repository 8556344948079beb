/**
 * A small structured logger: one line per event, JSON (for log shippers) or text (for a
 * terminal). Fields are flat key/values; `requestId` and `jobId` follow a job across apps.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 99,
};

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(opts: {
  name: string;
  level: LogLevel;
  json: boolean;
  base?: LogFields;
}): Logger {
  const base = { name: opts.name, ...opts.base };
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < RANK[opts.level]) return;
    const time = new Date().toISOString();
    const line = opts.json
      ? JSON.stringify({ time, level, ...base, msg, ...fields }, errorReplacer)
      : `${time} ${level.toUpperCase().padEnd(5)} [${String(base.name)}] ${msg}${formatFields({ ...fields })}`;
    (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...opts, base: { ...opts.base, ...fields } }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { message: value.message, name: value.name } : value;
}

function formatFields(fields: LogFields): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) => `${k}=${v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
  return parts.length ? ` ${parts.join(' ')}` : '';
}
