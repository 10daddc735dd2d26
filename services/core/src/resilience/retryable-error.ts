/**
 * Which failures are worth retrying unchanged (pure): typed errors say so themselves (`AppError.retryable`);
 * otherwise transient network errors and HTTP 408/425/429/5xx (except 501/505), searched through `cause` chains
 * because fetch and store clients wrap the socket error.
 */
import { isAppError } from '../errors.js';

export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  // PostgreSQL: too many connections, cannot connect now, serialization failure, deadlock.
  '53300',
  '57P03',
  '40001',
  '40P01',
]);

const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);
const NON_RETRYABLE_SERVER_STATUSES: ReadonlySet<number> = new Set([501, 505]);

export function isRetryableStatus(status: number): boolean {
  if (RETRYABLE_CLIENT_STATUSES.has(status)) return true;
  return status >= 500 && status <= 599 && !NON_RETRYABLE_SERVER_STATUSES.has(status);
}

interface ErrorShape {
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  response?: { status?: unknown };
  cause?: unknown;
}

const MAX_CAUSE_DEPTH = 5;

export function isRetryableError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth += 1) {
    // A typed error is authoritative, even when it wraps a transient cause.
    if (isAppError(current)) return current.retryable;
    const shape = current as ErrorShape;
    if (typeof shape.code === 'string' && RETRYABLE_NETWORK_CODES.has(shape.code)) return true;
    const status = [shape.status, shape.statusCode, shape.response?.status].find((value) => typeof value === 'number');
    if (typeof status === 'number') return isRetryableStatus(status);
    current = shape.cause;
  }
  return false;
}
