// `npm run test:unit`: every deployable's unit tests (services/*/test, operator/test), without typecheck, stores,
// control plane or network; the fast loop, run first in CI. Suites that need a store live under test/ — except
// the ones listed in `ignore`, which sit beside their command but need PostgreSQL.
const base = require('./.mocharc.cjs');

module.exports = {
  ...base,
  spec: process.env.MOCHA_SPEC
    ? process.env.MOCHA_SPEC.split(',')
    : ['services/*/test/**/*.test.ts', 'operator/test/**/*.test.ts'],
  ignore: ['services/cli/test/db.command.test.ts'],
};
