import type { Command } from 'commander';
import { createOperatorCommand } from '../../../../operator/src/cli/operator.commands.js';

/** `myragdb operator run|crds`: the Kubernetes operator, defined with the operator (operator/src/cli). */
export function operatorCommand(): Command {
  return createOperatorCommand();
}
