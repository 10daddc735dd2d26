#!/usr/bin/env node
// `npx myragdb-operator [flags]` = `myragdb operator run [flags]`. Like bin/myragdb.js: TypeScript through tsx in a
// source checkout, the compiled dist/ in images.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/standalone.ts', import.meta.url);
const compiled = new URL('../../dist/operator/src/cli/standalone.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(compiled.href);
}
