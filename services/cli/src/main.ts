import { isAppError } from '../../core/src/errors.js';
import { createProgram } from './program.js';

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures (unknown key, unreachable store, bad input) get one line; anything else keeps its stack.
  if (!isAppError(error)) throw error;
  process.stderr.write(`myragdb: ${error.message}\n`);
  process.exitCode = error.retryable ? 75 : 1;
}
