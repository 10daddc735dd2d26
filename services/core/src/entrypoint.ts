import { isAppError } from './errors.js';

/**
 * Runs a process entrypoint. Expected failures (bad configuration, unreachable store, bad input) end the process
 * with one line naming the problem and no stack; anything else is a bug and keeps its stack.
 */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!isAppError(error)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    // Startup may already hold worker threads or sockets that would keep the process alive; it must still end.
    process.exit(error.retryable ? 75 : 1);
  }
}
