import { Command } from 'commander';
import { fetchDefaultModel } from '../../../core/src/adapters/embedder/create-embedder.js';
import { terminalDownloadProgress } from '../../../core/src/adapters/embedder/terminal-download-progress.js';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { isAppError } from '../../../core/src/errors.js';
import { createLoggerFromConfig } from '../../../core/src/logging.js';
import { type CommandIo, processIo } from './command-io.js';

/**
 * `myragdb model fetch`: puts the local provider's default embedding model into EMBEDDING_MODEL_CACHE_DIR ahead of
 * time (the container image build, CI, a machine about to go offline). Unlike a service start it never falls back:
 * without the model it fails.
 */
export function modelCommand(
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: CommandIo = processIo(),
): Command {
  const model = new Command('model').description('Manage the local embedding model');
  model
    .command('fetch')
    .description('Download the default embedding model once (sha256-checked) into EMBEDDING_MODEL_CACHE_DIR')
    .action(async () => {
      try {
        const config = loadConfig(env);
        // Logs go to stderr: stdout carries the one result line.
        const logger = createLoggerFromConfig(config, 'myragdb', { stream: io.stderr });
        const progress = terminalDownloadProgress('embedding model', process.stderr);
        const path = await fetchDefaultModel(config, { logger, ...(progress ? { progress } : {}) });
        io.stdout.write(`Embedding model ready: ${path}\n`);
      } catch (error) {
        if (!isAppError(error)) throw error;
        io.stderr.write(`${error.message}\n`);
        io.setExitCode(1);
      }
    });
  return model;
}
