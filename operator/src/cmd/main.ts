/**
 * Entrypoint of the operator deployable (kubebuilder's cmd/main.go): `myragdb-operator [flags]` is
 * `myragdb operator run [flags]`. It loads only the operator and core's config and logging, never the search or
 * indexing modules (tree-sitter, Chroma, embedders): test/lint/operator-entrypoint.test.ts checks that.
 */
import { runMain } from '../../../services/core/src/entrypoint.js';
import { createOperatorRunCommand } from './operator.commands.js';

await runMain('myragdb-operator', async () => {
  await createOperatorRunCommand()
    .name('myragdb-operator')
    .showHelpAfterError()
    .configureOutput({ outputError: (message, write) => write(message) })
    .parseAsync(process.argv);
});
