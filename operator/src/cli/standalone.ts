/** Entry point of the `myragdb-operator` bin: the `operator run` command as a program of its own. */
import { createOperatorRunCommand } from './operator.commands.js';

await createOperatorRunCommand('myragdb-operator').parseAsync(process.argv);
