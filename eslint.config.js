// Lint is part of `npm test`. Type-aware rules catch floating promises, the bug class that hurts servers most; the
// layering rules below keep the tree reading as the architecture (README "Architecture", .github/CONTRIBUTING.md).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Pure decision code: no environment, no clock, no I/O. Callers pass what it needs. */
export const PURE_FOLDERS = [
  'services/core/src/domain/**/*.ts',
  'services/indexer/src/chunking/**/*.ts',
  'services/indexer/src/pipeline/plan-*.ts',
  'operator/src/specs/**/*.ts',
  'services/health/src/evaluation/**/*.ts',
  'services/health/src/metrics-scrape/{prometheus-text,traffic-summary}.ts',
];

const NO_FILE_SYSTEM = ['fs', 'fs/promises', 'node:fs', 'node:fs/promises'].map((name) => ({
  name,
  message: 'Pure and port code does no I/O: an adapter or the composition root reads files.',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'services/search-gateway/web/dist/**',
      'test-results/**',
      'playwright-report/**',
      'coverage/**',
      'node_modules/**',
      'charts/**',
      'manifests/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  // Plain JavaScript (config files, the bin shims) is outside the TypeScript project: no type information there.
  { files: ['**/*.{js,cjs,mjs}'], ...tseslint.configs.disableTypeChecked },
  {
    // Tests read `any` by design (supertest bodies, parsed JSON) and assert its shape at run time; their helpers
    // hand out methods to destructure and pass async callbacks where an API expects them. Product code keeps these.
    files: ['test/**/*.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // No import cycles between modules of the product (type-only imports included: they still couple the files).
    files: ['services/*/src/**/*.ts', 'operator/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Dependencies are parsed as TypeScript too, or their imports would be invisible to the cycle check.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: PURE_FOLDERS,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Pure code: take configuration as an argument.' },
        { object: 'Date', property: 'now', message: 'Pure code: take `now` as an argument.' },
      ],
      'no-restricted-imports': ['error', { paths: NO_FILE_SYSTEM }],
    },
  },
  {
    // Domain types and ports are what adapters implement: they depend on no adapter, web framework or file system.
    files: ['services/core/src/domain/**/*.ts', 'services/core/src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...NO_FILE_SYSTEM, { name: 'express', message: 'Domain and ports know no web framework.' }],
          patterns: [
            { group: ['**/adapters/**'], message: 'Domain and ports import no adapter: adapters import them.' },
          ],
        },
      ],
    },
  },
  {
    // The CLI composes deployables only through their public surface: runtimes, api/ modules, the operator's cmd/.
    files: ['services/cli/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`/(search-gateway|indexer|health)/src/(?!(gateway|indexer|health)-runtime\.js$|api/)|/operator/src/(?!cmd/)`,
              message: "The CLI uses a service's runtime or api/ modules (the operator's cmd/), never its internals.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable' } },
  },
  {
    // CommonJS config files (mocha's) load each other with require.
    files: ['**/*.cjs'],
    languageOptions: { globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
