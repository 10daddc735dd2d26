import { NotFoundError, ValidationError } from '../../errors.js';
import { sqlState } from '../sql-database/sql-errors.js';

/** Maps constraint failures to the error taxonomy; everything else is rethrown as is. */
export function translateWriteError(error: unknown, repository: string): never {
  switch (sqlState(error)) {
    case '23503':
      throw new NotFoundError(`repository "${repository}" does not exist`, { cause: error });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
      throw new ValidationError(`rejected by the catalog: ${(error as Error).message}`, { cause: error });
    default:
      throw error;
  }
}
