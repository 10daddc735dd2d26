/**
 * Structured logging on winston. Every line has an ISO-8601 `timestamp`, `level`, `message`, `service` and, inside a
 * request, `context.request_id` (from AsyncLocalStorage), so `jq 'select(.context.request_id=="…")'` finds a request.
 * Secrets are scrubbed from messages and metadata at any depth. Loggers are created in main.ts and passed down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type RotatingFileStream, createStream } from 'rotating-file-stream';
import winston from 'winston';
import type { AppConfig } from './config/load-config.js';
import { redactDeep, redactText } from './redaction.js';

export type Logger = winston.Logger;
export type LogLevel = AppConfig['LOG_LEVEL'];

export interface RequestContext {
  request_id: string;
  [key: string]: unknown;
}

/** Carries the current request's context across awaits; the HTTP middleware fills it per request. */
export const requestContextStore = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return requestContextStore.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return requestContextStore.getStore();
}

export const LOG_FILE_NAME = 'myragdb.log';
export const ERROR_LOG_FILE_NAME = 'myragdb_error.log';
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  format: 'json' | 'pretty';
  /** When set, write `myragdb.log` and `myragdb_error.log` here instead of stdout. */
  logDir?: string | undefined;
  /** Rotated files kept per log. */
  maxFiles?: number;
  /** Size at which a log file rotates (10 MB unless a test needs it small). */
  maxFileBytes?: number;
  /** Destination instead of stdout (tests, or a parent process's pipe). Ignored when logDir is set. */
  stream?: NodeJS.WritableStream;
}

const RESERVED_KEYS = new Set(['level', 'message', 'timestamp', 'service']);

/** Adds `context` from the active request (explicit `context` metadata wins key by key). */
const requestContextFormat = winston.format((info) => {
  const store = requestContextStore.getStore();
  if (store) {
    const explicit = typeof info.context === 'object' && info.context !== null ? info.context : {};
    info.context = { ...store, ...explicit };
  }
  return info;
});

/** Scrubs secrets in place so winston's symbol-keyed fields survive. */
const redactFormat = winston.format((info) => {
  if (typeof info.message === 'string') info.message = redactText(info.message);
  else info.message = redactDeep(info.message);
  for (const key of Object.keys(info)) {
    if (RESERVED_KEYS.has(key) || key === 'message') continue;
    const redacted = redactDeep({ [key]: info[key] }) as Record<string, unknown>;
    info[key] = redacted[key];
  }
  return info;
});

const prettyLine = winston.format.printf((info) => {
  const { timestamp, level, message, service, context, stack, ...rest } = info;
  const requestId = (context as RequestContext | undefined)?.request_id;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const request = requestId ? ` (${requestId})` : '';
  const trace = typeof stack === 'string' ? `\n${stack}` : '';
  return `${String(timestamp)} ${level} [${String(service)}]${request} ${String(message)}${extra}${trace}`;
});

function lineFormat(format: LoggerOptions['format']): winston.Logform.Format {
  const base = [
    winston.format.errors({ stack: true }),
    requestContextFormat(),
    redactFormat(),
    winston.format.timestamp(),
  ];
  return format === 'json'
    ? winston.format.combine(...base, winston.format.json())
    : winston.format.combine(...base, winston.format.colorize(), prettyLine);
}

/** Rotating file streams per logger, ended by closeLogger (winston's Stream transport never ends its stream). */
const fileStreams = new WeakMap<Logger, RotatingFileStream[]>();

/**
 * Size-rotated file: `myragdb.log` is always the live file, older ones become `myragdb.log.1` … `.N`.
 * rotating-file-stream instead of winston's File transport, which loses lines and stalls when a burst of writes
 * crosses the size limit (winston 3.19, reproduced with 100 lines written in one tick).
 */
function rotatingFile(logDir: string, fileName: string, options: LoggerOptions): RotatingFileStream {
  return createStream(fileName, {
    path: logDir,
    size: `${options.maxFileBytes ?? LOG_ROTATE_BYTES}B`,
    rotate: options.maxFiles ?? 5,
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [];
  const streams: RotatingFileStream[] = [];
  if (options.logDir) {
    // Files are always JSON: they exist to be searched with jq.
    const fileFormat = lineFormat('json');
    const all = rotatingFile(options.logDir, LOG_FILE_NAME, options);
    const errors = rotatingFile(options.logDir, ERROR_LOG_FILE_NAME, options);
    streams.push(all, errors);
    transports.push(
      new winston.transports.Stream({ stream: all, format: fileFormat }),
      new winston.transports.Stream({ stream: errors, format: fileFormat, level: 'error' }),
    );
  } else if (options.stream) {
    transports.push(new winston.transports.Stream({ stream: options.stream, format: lineFormat(options.format) }));
  } else {
    transports.push(new winston.transports.Console({ format: lineFormat(options.format) }));
  }
  const logger = winston.createLogger({ level: options.level, defaultMeta: { service: options.service }, transports });
  fileStreams.set(logger, streams);
  return logger;
}

export function createLoggerFromConfig(
  config: AppConfig,
  service: string,
  overrides: Partial<LoggerOptions> = {},
): Logger {
  const debugLevel = winston.config.npm.levels.debug ?? 5;
  const configured = winston.config.npm.levels[config.LOG_LEVEL] ?? 0;
  return createLogger({
    service,
    level: config.DEBUG && configured < debugLevel ? 'debug' : config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    logDir: config.LOG_DIR,
    maxFiles: config.LOG_MAX_FILES,
    ...overrides,
  });
}

/** Resolves once every line is written and log files are closed; call last during shutdown. */
export async function closeLogger(logger: Logger): Promise<void> {
  const finished = new Promise<void>((resolve) => logger.once('finish', () => resolve()));
  logger.end();
  await finished;
  await Promise.all(
    (fileStreams.get(logger) ?? []).map(
      (stream) =>
        new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.end();
        }),
    ),
  );
}
