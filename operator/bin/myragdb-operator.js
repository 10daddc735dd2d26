#!/usr/bin/env node
// `myragdb-operator [flags]` is `myragdb operator run [flags]`, started from the operator's own entrypoint
// (operator/src/cmd/main.ts). In a source checkout it runs the TypeScript through tsx; images run the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cmd/main.ts', import.meta.url);
const compiled = new URL('../../dist/operator/src/cmd/main.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(compiled.href);
}
