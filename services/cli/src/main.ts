import { createProgram } from './program.js';

const program = createProgram();
await program.parseAsync(process.argv);
