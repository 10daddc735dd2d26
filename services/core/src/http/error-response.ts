/**
 * Maps any thrown value to an HTTP status and a client-safe body (pure). AppErrors keep their code; body-parser
 * errors become 413/415/400; anything else is a 500 whose message and stack never reach the client.
 */
import type { AppError } from '../errors.js';
import {
  InternalError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  isAppError,
} from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; request_id: string | undefined; details?: unknown };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** The typed error the response was built from (for logging). */
  error: AppError;
}

/** Generic messages for server-side failures: what went wrong inside is for the logs only. */
const SERVER_ERROR_MESSAGES: Record<number, string> = {
  502: 'An upstream service failed; try again later',
  503: 'A dependency is unavailable; try again later',
  504: 'An upstream service timed out; try again later',
};
const GENERIC_SERVER_ERROR = 'Internal server error';

/** Errors from body-parser / raw-body / http-errors carry `type` and `status`. */
interface HttpLibraryError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  limit?: unknown;
  message?: unknown;
}

export function toAppError(thrown: unknown): AppError {
  if (isAppError(thrown)) return thrown;
  const candidate = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as HttpLibraryError;
  switch (candidate.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(
        typeof candidate.limit === 'number'
          ? `Request body exceeds the limit of ${candidate.limit} bytes`
          : 'Request body is too large',
        { cause: thrown, details: typeof candidate.limit === 'number' ? { limit_bytes: candidate.limit } : undefined },
      );
    case 'entity.parse.failed':
      return new ValidationError('Request body is not valid JSON', { cause: thrown });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError(String(candidate.message), { cause: thrown });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ValidationError('Request body could not be read', { cause: thrown });
  }
  // body-parser's Content-Encoding inflate failures (`gzip` that is not gzip) carry only status 400.
  if (!(thrown instanceof URIError) && candidate.status === 400 && candidate.expose === true) {
    return new ValidationError('Request body could not be decoded: check its Content-Encoding', { cause: thrown });
  }
  // The router's path-parameter decoding (`%ff`) fails with a URIError marked 400: the client's path is malformed.
  if (thrown instanceof URIError && (candidate.status === 400 || candidate.statusCode === 400)) {
    return new ValidationError('The request path contains malformed percent-encoding', { cause: thrown });
  }
  return new InternalError(thrown instanceof Error ? thrown.message : 'Non-error value thrown', { cause: thrown });
}

export function toErrorResponse(thrown: unknown, requestId: string | undefined): ErrorResponse {
  const error = toAppError(thrown);
  const status = error.httpStatus;
  const serverSide = status >= 500;
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: serverSide ? (SERVER_ERROR_MESSAGES[status] ?? GENERIC_SERVER_ERROR) : error.message,
      request_id: requestId,
    },
  };
  if (!serverSide && error.details !== undefined) body.error.details = error.details;
  return { status, body, error };
}
