// One runner for every layer: unit tests live beside each deployable, integration and e2e under test/.
// `MOCHA_SPEC` narrows a run (e.g. MOCHA_SPEC='services/core/test/**/*.test.ts' npm run test:only).
module.exports = {
  'node-option': ['import=tsx'],
  spec: process.env.MOCHA_SPEC
    ? process.env.MOCHA_SPEC.split(',')
    : ['services/*/test/**/*.test.ts', 'operator/test/**/*.test.ts', 'test/**/*.test.ts'],
  require: ['test/support/hooks.ts'],
  timeout: 20000,
  reporter: 'spec',
  exit: true,
};
