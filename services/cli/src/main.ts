import { runMain } from '../../core/src/entrypoint.js';
import { createProgram } from './program.js';

await runMain('myragdb', async () => {
  await createProgram().parseAsync(process.argv);
});
