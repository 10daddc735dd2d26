#!/usr/bin/env node
// In a source checkout the CLI runs its TypeScript through tsx (no build step to forget);
// installed images ship only the compiled dist/ and run that.
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
const compiled = new URL('../../../dist/services/cli/src/main.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(compiled.href);
}
