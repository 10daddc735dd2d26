import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  code: number | null;
  stderr: string;
}

/** Starts a service entrypoint the way its container does, with only the given environment. */
function runService(name: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('service entrypoints refuse bad configuration with one clear message', function () {
  this.timeout(60_000);

  for (const service of ['search-gateway', 'indexer', 'health']) {
    it(`${service}: names every bad variable, exits 1, prints no stack and no secret`, async () => {
      const secret = 'hunter2-do-not-print-me';
      const { code, stderr } = await runService(service, {
        ENVIRONMENT: 'production',
        PORT: 'not-a-port',
        SECRET_KEY: secret,
        DATABASE_URL: 'postgres://127.0.0.1:1/none',
      });
      assert.equal(code, 1, stderr);
      assert.match(stderr, new RegExp(`^${service}: Invalid configuration`));
      assert.match(stderr, /PORT/);
      assert.match(stderr, /SECRET_KEY/);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.ok(!stderr.includes(secret), 'the secret value is not echoed');
    });
  }

  for (const service of ['indexer', 'health']) {
    it(`${service}: without DATABASE_URL says it needs the shared PostgreSQL, and exits 1`, async () => {
      const { code, stderr } = await runService(service, {});
      assert.equal(code, 1, stderr);
      assert.match(stderr, new RegExp(`^${service}: DATABASE_URL: required by the ${service} service \\(`));
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }

  it('search-gateway: an embedding provider without its endpoint is a configuration error, not a crash', async () => {
    const { code, stderr } = await runService('search-gateway', {
      EMBEDDING_PROVIDER: 'openai-compatible',
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^search-gateway: .*EMBEDDING_ENDPOINT/s);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
