import { runMain } from '../../core/src/entrypoint.js';

await runMain('myragdb', async () => {
  // `myragdb operator …` (the operator's Deployment runs it) goes straight to the operator's own commands: loading
  // the program would load every command's modules (tree-sitter, Chroma, embedders) into the operator process.
  if (process.argv[2] === 'operator') {
    const { runOperatorCommand } = await import('../../../operator/src/cmd/operator.commands.js');
    return runOperatorCommand(process.argv.slice(3));
  }
  const { createProgram } = await import('./program.js');
  await createProgram().parseAsync(process.argv);
});
