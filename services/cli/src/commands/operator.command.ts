import { Command } from 'commander';

/**
 * `myragdb operator run|crds`: the Kubernetes operator, defined in its own deployable (operator/src/cmd) and loaded
 * only when this command runs, so the operator process carries none of the CLI's search or indexing modules.
 */
export function operatorCommand(): Command {
  return new Command('operator')
    .description('The MyRAGDB Kubernetes operator (run, crds)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'operator subcommand and flags, e.g. `run --workers 4` or `crds --rbac`')
    .action(async (args: string[]) => {
      const { runOperatorCommand } = await import('../../../../operator/src/cmd/operator.commands.js');
      await runOperatorCommand(args);
    });
}
