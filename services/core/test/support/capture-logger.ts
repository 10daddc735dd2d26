/** A real winston logger writing into memory, for asserting on log lines. */
import { PassThrough } from 'node:stream';
import { type LogLevel, type Logger, createLogger } from '../../src/logging.js';

export interface CapturedLogger {
  logger: Logger;
  lines(): string[];
  /** Lines parsed as JSON (json format only). */
  records(): Array<Record<string, unknown>>;
}

export function captureLogger(
  options: { service?: string; level?: LogLevel; format?: 'json' | 'pretty' } = {},
): CapturedLogger {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.length > 0);
  return {
    logger: createLogger({
      service: options.service ?? 'test-service',
      level: options.level ?? 'debug',
      format: options.format ?? 'json',
      stream,
    }),
    lines,
    records: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
