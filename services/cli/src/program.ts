import { Command } from 'commander';
import { apikeyCommand } from './commands/apikey.command.js';
import { backupCommand, restoreCommand } from './commands/backup.command.js';
import { configCommand } from './commands/config.command.js';
import { dbCommand } from './commands/db.command.js';
import { healthCommand } from './commands/health.command.js';
import { mcpCommand } from './commands/mcp.command.js';
import { modelCommand } from './commands/model.command.js';
import { searchCommand } from './commands/search.command.js';
import { upCommand } from './commands/up.command.js';
import { indexCommand } from './commands/index-status.command.js';
import { reindexCommand } from './commands/reindex.command.js';
import { repoCommand } from './commands/repo.command.js';
import { operatorCommand } from './commands/operator.command.js';

// A JSON import: tsc emits package.json into dist/ beside the compiled tree, so source and build read the same.
import packageJson from '../../../package.json' with { type: 'json' };

/** The `myragdb` command tree. Each feature adds its commands in `commands/*.command.ts`. */
export function createProgram(): Command {
  return new Command('myragdb')
    .description('Hybrid code and documentation search for engineering teams and their AI agents')
    .version(packageJson.version)
    .showHelpAfterError()
    .configureOutput({ outputError: (message, write) => write(message) })
    .addCommand(configCommand())
    .addCommand(dbCommand())
    .addCommand(healthCommand())
    .addCommand(repoCommand())
    .addCommand(reindexCommand())
    .addCommand(indexCommand())
    .addCommand(operatorCommand())
    .addCommand(apikeyCommand())
    .addCommand(searchCommand())
    .addCommand(mcpCommand())
    .addCommand(modelCommand())
    .addCommand(upCommand())
    .addCommand(backupCommand())
    .addCommand(restoreCommand());
}
