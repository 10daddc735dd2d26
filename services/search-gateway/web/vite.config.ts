import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** What the first page load may download, gzipped: the entry chunk, its static imports and their CSS. */
const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;

/**
 * Measures the first load of every build and fails the build past the budget. Lazily loaded chunks (syntax
 * highlighting, charts) are not part of it: they load with the page that needs them.
 */
function firstLoadBudget(budget: number): Plugin {
  return {
    name: 'myragdb-first-load-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((output) => output.type === 'chunk' && output.isEntry);
      if (!entry || entry.type !== 'chunk') return this.error('no entry chunk in the bundle');
      const files = new Set<string>();
      const visit = (fileName: string) => {
        const output = bundle[fileName];
        if (!output || files.has(fileName)) return;
        files.add(fileName);
        if (output.type === 'chunk') {
          output.imports.forEach(visit);
          output.viteMetadata?.importedCss.forEach(visit);
        }
      };
      visit(entry.fileName);
      const size = [...files].reduce((sum, fileName) => {
        const output = bundle[fileName]!;
        return sum + gzipSync(output.type === 'chunk' ? output.code : output.source).length;
      }, 0);
      const summary = `first load: ${(size / 1024).toFixed(1)} KB gzipped in ${files.size} files (budget ${budget / 1024} KB)`;
      if (size > budget) this.error(summary);
      this.info(summary);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  plugins: [firstLoadBudget(FIRST_LOAD_BUDGET_BYTES)],
});
