// Lint is part of `npm test`. Type-aware rules catch floating promises, the bug class that hurts servers most.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'charts/**', 'manifests/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
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
    // Pure decision code: no environment, no clock, no I/O. Callers pass what it needs.
    files: [
      'services/core/src/domain/**/*.ts',
      'services/indexer/src/chunking/**/*.ts',
      'services/indexer/src/pipeline/plan-*.ts',
      'operator/src/specs/**/*.ts',
      'services/health/src/evaluation/**/*.ts',
      'services/health/src/metrics-scrape/{prometheus-text,traffic-summary}.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Pure code: take configuration as an argument.' },
        { object: 'Date', property: 'now', message: 'Pure code: take `now` as an argument.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable' } },
  },
);
