/**
 * Structured logging on pino: one line per event, JSON (for log shippers) or text (for a
 * terminal). Fields are flat key/values; `requestId` and `jobId` follow a job from the
 * gateway's request log into the worker's lines. Warnings and errors go to stderr, the rest
 * to stdout, in both formats.
 */
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** The process's role (`gateway`, `worker`); every line carries it as `name`. */
  name: string;
  level: LogLevel;
  /** JSON lines when true; `time LEVEL [name] msg key=value …` otherwise. */
  json: boolean;
  /** Fields on every line of this logger and its children. */
  base?: LogFields;
  /** Where lines go: `out` below `warn`, `err` from `warn` up. Default stdout and stderr. */
  streams?: { out: LineSink; err: LineSink };
}

export interface LineSink {
  write(line: string): unknown;
}

export function createLogger(opts: LoggerOptions): Logger {
  const { out, err } = opts.streams ?? { out: process.stdout, err: process.stderr };
  const destination = opts.json
    ? pino.multistream(
        [
          { level: 'trace', stream: out },
          { level: 'warn', stream: err },
        ],
        { dedupe: true },
      )
    : textDestination(out, err);
  const root = pino(
    {
      level: opts.level,
      base: { name: opts.name, ...plain(opts.base ?? {}) },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(root);
}

function wrap(p: PinoLogger): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: LogFields): void => {
      if (!p.isLevelEnabled(level)) return;
      if (fields) p[level](plain(fields), msg);
      else p[level](msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(p.child(plain(fields))),
  };
}

/**
 * Errors under any key become `{name, message}` (`err` keeps its stack too): JSON.stringify
 * would print `{}` for them.
 */
function plain(fields: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      out ??= { ...fields };
      out[key] =
        key === 'err'
          ? { name: value.name, message: value.message, stack: value.stack }
          : { name: value.name, message: value.message };
    }
  }
  return out ?? fields;
}

/** pino's metadata hook: it sets these before each write, so text needs no JSON parse. */
interface TextDestination extends DestinationStream {
  lastLevel: number;
  lastMsg: string | undefined;
  lastObj: LogFields;
  lastLogger: PinoLogger | undefined;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * `2025-01-01T12:00:00.000Z INFO  [gateway] gateway listening url=http://… requestId=…`: the
 * call's own fields right after the message (tests match `gateway listening url=…`), then
 * the logger's bound fields.
 */
function textDestination(out: LineSink, err: LineSink): TextDestination {
  const dest: TextDestination = {
    lastLevel: 0,
    lastMsg: undefined,
    lastObj: {},
    lastLogger: undefined,
    write(): void {
      const bindings = dest.lastLogger?.bindings() ?? {};
      const name = String(bindings.name ?? '');
      delete bindings.name;
      const level = (LEVEL_NAMES[dest.lastLevel] ?? String(dest.lastLevel)).padEnd(5);
      const fields: LogFields = { ...dest.lastObj };
      for (const [key, value] of Object.entries(bindings)) if (!(key in fields)) fields[key] = value;
      const line = `${new Date().toISOString()} ${level} [${name}] ${dest.lastMsg ?? ''}${formatFields(fields)}\n`;
      (dest.lastLevel >= 40 ? err : out).write(line);
    },
  };
  (dest as unknown as Record<symbol, boolean>)[pino.symbols.needsMetadataGsym] = true;
  return dest;
}

function formatFields(fields: LogFields): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'message' in v && typeof v.message === 'string')
    return v.message;
  return JSON.stringify(v) ?? String(v);
}
