import { Command } from 'commander';
import { describeConfig, loadConfig, unknownProductVariables } from '../../../core/src/config/load-config.js';
import { ConfigError } from '../../../core/src/errors.js';

/**
 * `myragdb config check`: validates an environment exactly as a service does at start. Prints every problem and
 * exits 1, or prints the effective configuration with secrets redacted and exits 0.
 */
export function configCommand(env: Readonly<Record<string, string | undefined>> = process.env): Command {
  const config = new Command('config').description('Inspect and validate MyRAGDB configuration');
  config
    .command('check')
    .description('Validate the environment variables; print every problem, or the effective values (secrets redacted)')
    .action(() => {
      for (const name of unknownProductVariables(env)) {
        process.stderr.write(`warning: ${name} is not a MyRAGDB variable (typo?); it is ignored\n`);
      }
      try {
        const loaded = loadConfig(env);
        const rows = describeConfig(loaded);
        const width = Math.max(...rows.map((row) => row.variable.length));
        process.stdout.write(`Configuration is valid (ENVIRONMENT=${loaded.ENVIRONMENT}).\n`);
        for (const row of rows) process.stdout.write(`  ${row.variable.padEnd(width)}  ${row.value}\n`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.stderr.write(
          'Every variable is described in .env.example and in the README section "Configuration".\n',
        );
        process.exitCode = 1;
      }
    });
  return config;
}
