/**
 * `myragdb up` under the faults of issue #14: a second process on the same data dir, a key revoked from another
 * terminal while it runs, and its Chroma child killed; and its folder watcher. Real processes throughout.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createFixtureRepository, type FixtureRepository } from '../support/fixture-repository.js';
import { registerTeardown } from '../support/hooks.js';
import { freePort } from '../support/ports.js';

const CLI = fileURLToPath(new URL('../../services/cli/bin/myragdb.js', import.meta.url));
const run = promisify(execFile);

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('local mode hardening: myragdb up under faults', function () {
  this.timeout(600_000);
  let up: ChildProcess;
  let output = '';
  let url: string;
  let key: string;
  let dataDir: string;
  let fixture: FixtureRepository;

  before(async function () {
    this.timeout(400_000);
    fixture = await createFixtureRepository();
    await fixture.remove('data/huge.txt');
    dataDir = await mkdtemp(join(tmpdir(), 'myragdb-up-faults-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    up = spawn(process.execPath, [CLI, 'up', fixture.root, '--port', String(port), '--data-dir', dataDir], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    registerTeardown(async () => {
      if (up.exitCode === null) {
        up.kill('SIGINT');
        await new Promise((resolve) => up.once('exit', resolve));
      }
    });
    up.stdout!.on('data', (data: Buffer) => (output += data.toString()));
    up.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    await waitFor('myragdb up to index', async () => (/Indexed: /.test(output) ? true : undefined), 360_000);
    url = /running at (http:\/\/\S+)/.exec(output)![1]!;
    key = /Admin API key: (mrdb_\S+)/.exec(output)![1]!;
  });

  const get = (path: string, bearer = key) =>
    fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${bearer}` } });

  it('refuses a second process on the same data dir with a clear error (finding 3)', async () => {
    const port = String(await freePort());
    const second = await run(process.execPath, [CLI, 'up', '--port', port, '--data-dir', dataDir], {
      env: cleanEnv(),
    }).then(
      () => assert.fail('a second `up` on the same data dir must fail'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.notEqual(second.code, 0);
    assert.match(`${second.stdout}${second.stderr}`, /is in use by another MyRAGDB process \(pid \d+\)/);
  });

  it('applies `myragdb apikey revoke` from another terminal to the very next request (finding 3)', async () => {
    const env = cleanEnv({ MYRAGDB_DATA_DIR: dataDir });
    const created = JSON.parse(
      (await run(process.execPath, [CLI, 'apikey', 'create', '--name', 'laptop', '--json'], { env })).stdout,
    ) as { id: string; key: string };
    assert.equal((await get('/api/v1/repositories', created.key)).status, 200);
    const revoked = await run(process.execPath, [CLI, 'apikey', 'revoke', created.id], { env });
    assert.match(revoked.stdout, new RegExp(`Revoked API key ${created.id}`));
    assert.equal((await get('/api/v1/repositories', created.key)).status, 401);
    const listed = await run(process.execPath, [CLI, 'apikey', 'list', '--json'], { env });
    const keys = JSON.parse(listed.stdout) as Array<{ id: string; state: string }>;
    assert.equal(keys.find((entry) => entry.id === created.id)?.state, 'revoked');
  });

  it('finds a file saved after indexing without waiting for the periodic sync (the folder watcher)', async () => {
    const paths = async () => {
      const response = await fetch(`${url}/api/v1/search`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'zebraQuantumFrobnicate', mode: 'keyword' }),
      });
      return ((await response.json()) as { results: { path: string }[] }).results.map((result) => result.path);
    };
    // The periodic sync runs every 5 minutes: only the watcher can make this file searchable within the wait.
    const saved = performance.now();
    await fixture.write(
      'src/watched-later.ts',
      'export function zebraQuantumFrobnicate(): number {\n  return 42;\n}\n',
    );
    await waitFor(
      'the saved file in keyword search',
      async () => ((await paths()).includes('src/watched-later.ts') ? true : undefined),
      60_000,
    );
    console.log(`      saved file searchable after ${((performance.now() - saved) / 1000).toFixed(1)} s`);

    await fixture.remove('src/watched-later.ts');
    await waitFor(
      'the deleted file gone from search',
      async () => ((await paths()).length === 0 ? true : undefined),
      60_000,
    );
  });

  it('restarts a killed Chroma child, says so, is ready again and serves semantic search (finding 9)', async () => {
    const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(up.pid)]);
    const chromaPid = Number(/^\s*(\d+)\s.*chroma.*\brun\b/m.exec(stdout)?.[1]);
    assert.ok(chromaPid > 0, stdout);
    process.kill(chromaPid, 'SIGKILL');

    await waitFor('the restart', async () => (/Chroma server was restarted/.test(output) ? true : undefined), 120_000);
    await waitFor(
      'readiness to recover',
      async () => {
        const response = await fetch(`${url}/api/v1/health/ready`);
        return response.status === 200 ? true : undefined;
      },
      120_000,
    );
    assert.match(output, /Chroma server stopped unexpectedly/);

    // The breaker lets a trial call through after its reset time; then the semantic leg answers again.
    await waitFor(
      'semantic search to answer',
      async () => {
        const response = await fetch(`${url}/api/v1/search`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: 'how are refunds issued?', mode: 'semantic' }),
        });
        return response.status === 200 ? true : undefined;
      },
      90_000,
    );
  });
});
