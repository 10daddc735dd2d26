import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/myragdb.js', import.meta.url));
const SECRET = 'q8Zr1vXk3NfT6mWp0LsY4dHb7GcJ2eUa9RoV5iKx';

/** Runs the real CLI with only the given variables (plus PATH/HOME so node runs). */
function runConfigCheck(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, 'config', 'check'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('myragdb config check (subprocess)', () => {
  it('prints every problem and exits 1, never echoing secrets', () => {
    const { status, stdout, stderr } = runConfigCheck({
      ENVIRONMENT: 'production',
      PORT: 'http',
      LOG_LEVEL: 'chatty',
      SECRET_KEY: 'hunter2-is-my-secret',
      CORS_ORIGINS: '*',
      DATABASE_URL: 'mysql://root:db-pass-42@db/x',
    });
    assert.equal(status, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^Invalid configuration \(6 problems\):$/m);
    for (const expected of [
      /^ {2}- PORT: must be a whole number \(got "http"\)$/m,
      /^ {2}- LOG_LEVEL: Invalid option: .*\(got "chatty"\)$/m,
      /^ {2}- CORS_ORIGINS: wildcard `\*` is not allowed in production/m,
      /^ {2}- SECRET_KEY: too weak for production/m,
      /^ {2}- AUTH_ENCRYPTION_KEY: required in production/m,
      /^ {2}- DATABASE_URL: must be a postgres:\/\/ URL$/m,
      /README section "Configuration"/,
    ]) {
      assert.match(stderr, expected);
    }
    assert.ok(!stderr.includes('hunter2') && !stderr.includes('db-pass-42'), 'secrets leaked');
  });

  it('prints the effective configuration with secrets redacted and exits 0', () => {
    const { status, stdout, stderr } = runConfigCheck({
      PORT: '4000',
      SECRET_KEY: SECRET,
      DATABASE_URL: 'postgres://myragdb:db-pass-42@127.0.0.1:5432/myragdb',
      MYRAGDB_APIKEY: 'typo-key',
    });
    assert.equal(status, 0, stderr);
    assert.equal(stderr, 'warning: MYRAGDB_APIKEY is not a MyRAGDB variable (typo?); it is ignored\n');
    assert.match(stdout, /^Configuration is valid \(ENVIRONMENT=development\)\.$/m);
    assert.match(stdout, /^ {2}PORT +4000$/m);
    assert.match(stdout, /^ {2}REQUEST_SIZE_LIMIT +10485760$/m);
    assert.match(stdout, /^ {2}SECRET_KEY +\[REDACTED\]$/m);
    assert.match(stdout, /^ {2}DATABASE_URL +postgres:\/\/myragdb:\[REDACTED\]@127\.0\.0\.1:5432\/myragdb$/m);
    assert.ok(!stdout.includes(SECRET) && !stdout.includes('db-pass-42'));
  });
});
