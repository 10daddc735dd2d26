import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { migrate } from '../../../core/src/db/migrate.js';
import { openDatabase } from '../../../core/src/db/open-database.js';
import { isAppError } from '../../../core/src/errors.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

/**
 * `myragdb db migrate`: applies the catalog schema (services/core/migrations) to DATABASE_URL, or to the embedded
 * PGlite database in MYRAGDB_DATA_DIR when DATABASE_URL is unset. Safe to run from several replicas at once.
 */
export function dbCommand(env: Readonly<Record<string, string | undefined>> = process.env): Command {
  const db = new Command('db').description('Manage the catalog database');
  db.command('migrate')
    .description('Apply pending schema migrations (or revert with --down)')
    .option('--down', 'revert migrations instead of applying them')
    .option('--count <n>', 'how many migrations to apply or revert', positiveInteger)
    .action(async (options: { down?: boolean; count?: number }) => {
      try {
        const config = loadConfig(env);
        const sql = await openDatabase(config, 'myragdb-migrate');
        try {
          const ran = await migrate(sql, {
            direction: options.down ? 'down' : 'up',
            ...(options.count !== undefined ? { count: options.count } : {}),
          });
          const verb = options.down ? 'Reverted' : 'Applied';
          process.stdout.write(
            ran.length === 0
              ? 'Database schema is up to date.\n'
              : `${verb} ${ran.length} migration(s):\n${ran.map((name) => `  ${name}\n`).join('')}`,
          );
        } finally {
          await sql.close();
        }
      } catch (error) {
        if (!isAppError(error)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      }
    });
  return db;
}
