/**
 * One error taxonomy for every service. Services throw these; the HTTP error middleware maps `code` to a status
 * and a JSON body, the operator maps them to condition reasons, the retry helper asks `retryable`.
 */
export const Severity = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe, structured detail for clients (e.g. field errors). Never secrets or internals. */
  details?: unknown;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  abstract readonly severity: Severity;
  /** Whether the same call may succeed if retried unchanged. */
  readonly retryable: boolean = false;
  readonly details: unknown;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  readonly code = 'validation_failed';
  readonly httpStatus = 400;
  readonly severity = Severity.LOW;
}
export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
  readonly httpStatus = 401;
  readonly severity = Severity.MEDIUM;
}
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly httpStatus = 403;
  readonly severity = Severity.MEDIUM;
}
export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly httpStatus = 404;
  readonly severity = Severity.LOW;
}
export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly httpStatus = 409;
  readonly severity = Severity.LOW;
}
export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
  readonly httpStatus = 413;
  readonly severity = Severity.LOW;
}
export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported_media_type';
  readonly httpStatus = 415;
  readonly severity = Severity.LOW;
}
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly httpStatus = 429;
  readonly severity = Severity.LOW;
  override readonly retryable = true;
}
/** A dependency (store, embedder, git remote) failed or is unreachable; worth retrying unless a subclass says not. */
export class DependencyError extends AppError {
  readonly code = 'dependency_unavailable';
  readonly httpStatus = 503;
  readonly severity = Severity.HIGH;
  override readonly retryable: boolean = true;
  constructor(
    readonly dependency: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options);
  }
}
/** A store's circuit breaker is open: calls fail fast until its reset timeout lets a trial call through. */
export class CircuitOpenError extends DependencyError {}
export class EmbeddingError extends AppError {
  readonly code = 'embedding_failed';
  readonly httpStatus = 502;
  readonly severity = Severity.HIGH;
  override readonly retryable = true;
}
/** A repository's files cannot be read: a missing or unreadable local path, an unreachable or refused git remote. */
export class SourceUnavailableError extends AppError {
  readonly code = 'source_unavailable';
  readonly httpStatus = 422;
  readonly severity = Severity.MEDIUM;
}
/** Invalid configuration: the process must not start. */
export class ConfigError extends AppError {
  readonly code = 'invalid_config';
  readonly httpStatus = 500;
  readonly severity = Severity.CRITICAL;
}
/** A downloaded model file is not the pinned one (checksum mismatch, missing from its archive): never used. */
export class ModelIntegrityError extends AppError {
  readonly code = 'model_integrity';
  readonly httpStatus = 500;
  readonly severity = Severity.CRITICAL;
}
/** A bug or an unexpected state. Its message is logged, never sent to clients. */
export class InternalError extends AppError {
  readonly code = 'internal_error';
  readonly httpStatus = 500;
  readonly severity = Severity.CRITICAL;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
