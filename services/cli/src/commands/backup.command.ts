import { Command } from 'commander';
import { isAppError } from '../../../core/src/errors.js';
import { backupDataDir, restoreDataDir } from '../local/data-dir-backup.js';
import { processIo, type CommandIo } from './command-io.js';

const DATA_DIR_HELP = 'data dir of `myragdb up`';

async function reportErrors(io: CommandIo, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isAppError(error)) throw error;
    io.stderr.write(`${error.message}\n`);
    io.setExitCode(1);
  }
}

/** `myragdb backup FILE`: the local data dir (database, vectors, admin key) as one gzipped tar. */
export function backupCommand(io: CommandIo = processIo(), env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('backup')
    .description(
      'Back up the local data dir (embedded database, vectors, admin key) into FILE; stop `myragdb up` first',
    )
    .argument('<file>', 'backup file to write (gzipped tar, mode 0600)')
    .option('--data-dir <dir>', DATA_DIR_HELP, env.MYRAGDB_DATA_DIR ?? '.myragdb')
    .action((file: string, options: { dataDir: string }) =>
      reportErrors(io, async () => {
        const result = await backupDataDir(options.dataDir, file);
        io.stdout.write(`Backed up ${options.dataDir} to ${result.file} (${result.bytes} bytes).\n`);
      }),
    );
}

/** `myragdb restore FILE`: puts a backup back as the local data dir. */
export function restoreCommand(io: CommandIo = processIo(), env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('restore')
    .description('Restore the local data dir from a `myragdb backup` FILE; stop `myragdb up` first')
    .argument('<file>', 'backup file written by `myragdb backup`')
    .option('--data-dir <dir>', DATA_DIR_HELP, env.MYRAGDB_DATA_DIR ?? '.myragdb')
    .option('--force', 'replace a non-empty data dir (its contents are moved aside, not deleted)')
    .action((file: string, options: { dataDir: string; force?: boolean }) =>
      reportErrors(io, async () => {
        const result = await restoreDataDir(file, options.dataDir, { force: options.force ?? false });
        io.stdout.write(
          `Restored ${file} into ${result.dataDir}.${result.previous ? ` Previous contents: ${result.previous}` : ''}\n`,
        );
      }),
    );
}
