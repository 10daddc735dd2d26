import { DependencyError, ValidationError } from '../../errors.js';

// SQLSTATE classes that mean "the database is not there" rather than "this statement is wrong":
// 08 connection exception, 53 insufficient resources, 57P operator intervention (shutdown, crash recovery).
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /Cannot use a pool after calling end/i,
  /Client was closed/i,
  /timeout exceeded when trying to connect/i,
  /PGlite is closed/i,
];

/** True when `error` says the database cannot be reached (as opposed to a bad statement or a constraint). */
export function isSqlUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isSqlUnavailable);
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

// 22021 character_not_in_repertoire (a NUL byte, invalid UTF-8), 22P05 untranslatable_character: the input is at
// fault, not the database, whichever caller passed it through.
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);

/**
 * Rethrows an unreachable database as `DependencyError('postgres')` and text PostgreSQL cannot hold as a
 * `ValidationError` (a 400, not a 500); every other error unchanged.
 */
export function translateSqlError(error: unknown): never {
  if (isSqlUnavailable(error)) {
    throw new DependencyError('postgres', 'PostgreSQL is unavailable', { cause: error });
  }
  const state = sqlState(error);
  if (state && UNSTORABLE_TEXT_SQLSTATES.has(state)) {
    throw new ValidationError('the input holds a character that cannot be stored or searched (such as NUL)', {
      cause: error,
    });
  }
  throw error;
}

/** The SQLSTATE of a database error, e.g. `23505` for a unique violation. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
