/**
 * `myragdb up` driven like a user would: a child process on a fixture folder, then HTTP, the CLI and MCP against it,
 * Ctrl-C, and a restart on the same data dir. Real everything: PGlite and a Chroma child in the data dir, USE-lite.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SearchResponse } from '../../services/search-gateway/src/api/search.schemas.js';
import { createFixtureRepository, type FixtureRepository } from '../support/fixture-repository.js';
import { registerTeardown } from '../support/hooks.js';
import { meilisearchClient, useMeilisearch } from '../support/meilisearch.js';
import { freePort } from '../support/ports.js';

const CLI = fileURLToPath(new URL('../../services/cli/bin/myragdb.js', import.meta.url));
const run = promisify(execFile);

/** The environment of a fresh laptop: no external stores, no key. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra };
  return env;
}

interface Up {
  child: ChildProcess;
  output: () => string;
  url: string;
  key: string;
}

async function startUp(args: string[], until: RegExp, env: Record<string, string> = {}): Promise<Up> {
  const child = spawn(process.execPath, [CLI, 'up', ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerTeardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + 150_000;
  while (!until.test(output)) {
    if (child.exitCode !== null) throw new Error(`myragdb up exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`myragdb up did not print ${until}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const url = /running at (http:\/\/\S+)/.exec(output)?.[1];
  const key = /Admin API key: (mrdb_\S+)/.exec(output)?.[1];
  assert.ok(url && key, output);
  return { child, output: () => output, url, key };
}

async function stop(up: Up): Promise<number | null> {
  up.child.kill('SIGINT');
  return new Promise((resolve) => up.child.once('exit', (code) => resolve(code)));
}

describe('local mode: myragdb up end to end', function () {
  this.timeout(300_000);
  let fixture: FixtureRepository;
  let dataDir: string;
  let port: number;

  before(async () => {
    fixture = await createFixtureRepository();
    // `up` registers with the default 1 MB file limit; the fixture's oversized file is for discovery tests.
    await fixture.remove('data/huge.txt');
    dataDir = await mkdtemp(join(tmpdir(), 'myragdb-up-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
    port = await freePort();
  });

  const search = async (up: Up, body: object) => {
    const response = await fetch(`${up.url}/api/v1/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${up.key}` },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as SearchResponse;
  };

  it('indexes a folder, serves HTTP, CLI and MCP, stops on Ctrl-C, and restarts on the same data', async () => {
    const first = await startUp([fixture.root, '--port', String(port), '--data-dir', dataDir], /Indexed: /);
    assert.equal(first.url, `http://127.0.0.1:${port}`);
    const keyFile = await stat(join(dataDir, 'admin.key'));
    assert.equal(keyFile.mode & 0o777, 0o600);
    const repository = /^(\S+): ready/m.exec(first.output())![1]!;

    for (const mode of ['keyword', 'semantic', 'hybrid']) {
      const response = await search(first, {
        query: mode === 'semantic' ? 'how are refunds issued?' : 'parse query',
        mode,
      });
      assert.equal(response.results[0]?.repository, repository);
      assert.equal(response.results[0]?.path, mode === 'semantic' ? 'docs/guide.md' : 'src/query.ts', mode);
    }
    const unauthorized = await fetch(`${first.url}/api/v1/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'x' }),
    });
    assert.equal(unauthorized.status, 401);
    const health = await fetch(`http://127.0.0.1:${port + 1}/api/v1/health`);
    assert.ok([200, 503].includes(health.status));
    assert.ok(['healthy', 'degraded', 'unhealthy'].includes(((await health.json()) as { status: string }).status));

    // The CLI finds the admin key in the data dir.
    const cli = await run(process.execPath, [CLI, 'search', 'parseQuery', '--limit', '1'], {
      env: cleanEnv({ MYRAGDB_URL: first.url, MYRAGDB_DATA_DIR: dataDir }),
    });
    assert.match(cli.stdout, new RegExp(`^1\\. ${repository}/src/query\\.ts:\\d+-\\d+ {2}parseQuery`, 'm'));

    const mcp = new Client({ name: 'e2e', version: '1' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', first.url), {
        requestInit: { headers: { Authorization: `Bearer ${first.key}` } },
      }),
    );
    const result = (await mcp.callTool({
      name: 'search_code',
      arguments: { query: 'parseQuery', limit: 1 },
    })) as CallToolResult;
    assert.match((result.content[0] as { text: string }).text, new RegExp(`${repository}/src/query\\.ts:\\d+-\\d+`));
    await mcp.close();

    assert.equal(await stop(first), 0);
    assert.match(first.output(), /Stopped\./);
    await assert.rejects(fetch(`${first.url}/api/v1/openapi.json`), 'nothing listens after Ctrl-C');

    // Restart: same key, nothing re-registered, the index is there at once.
    const second = await startUp([fixture.root, '--port', String(port), '--data-dir', dataDir], /Indexed: /);
    assert.equal(second.key, first.key);
    assert.match(second.output(), new RegExp(`${repository}: ready`));
    const list = (await (
      await fetch(`${second.url}/api/v1/repositories`, { headers: { Authorization: `Bearer ${second.key}` } })
    ).json()) as {
      repositories: unknown[];
    };
    assert.equal(list.repositories.length, 1);
    assert.equal((await search(second, { query: 'parseQuery', mode: 'keyword' })).results[0]?.path, 'src/query.ts');
    // A benchmark or an agent on this machine sends more than the per-client limit (120 a minute): `up` serves it.
    for (let round = 0; round < 130; round++) await search(second, { query: `parseQuery ${round}`, mode: 'keyword' });
    assert.equal(await stop(second), 0);
  });
});

describe('local mode: myragdb up with MEILI_URL', function () {
  this.timeout(300_000);
  const meili = useMeilisearch();
  let fixture: FixtureRepository;
  let dataDir: string;

  before(async () => {
    fixture = await createFixtureRepository();
    await fixture.remove('data/huge.txt');
    dataDir = await mkdtemp(join(tmpdir(), 'myragdb-up-meili-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
  });

  it('keeps its keyword index in that Meilisearch server and searches it', async () => {
    const env = {
      MEILI_URL: meili.url,
      ...(meili.apiKey ? { MEILI_API_KEY: meili.apiKey } : {}),
      MEILI_INDEX_PREFIX: meili.indexPrefix,
    };
    const port = await freePort();
    const up = await startUp([fixture.root, '--port', String(port), '--data-dir', dataDir], /Indexed: /, env);
    try {
      assert.match(
        up.output(),
        new RegExp(`keywords in Meilisearch at ${meili.url} \\(index ${meili.indexPrefix}chunks\\)`),
      );
      const stats = await meilisearchClient(meili).index(`${meili.indexPrefix}chunks`).getStats();
      assert.ok(stats.numberOfDocuments > 0, 'the chunks are in Meilisearch');
      const response = await fetch(`${up.url}/api/v1/search`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${up.key}` },
        body: JSON.stringify({ query: 'parseQuery', mode: 'keyword' }),
      });
      const body = (await response.json()) as SearchResponse;
      assert.equal(body.results[0]?.path, 'src/query.ts');
      assert.equal(body.results[0]?.keyword?.rank, 1);
    } finally {
      assert.equal(await stop(up), 0);
    }
  });

  it('refuses to start, naming Meilisearch, when MEILI_URL does not answer', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const failed = await run(
      process.execPath,
      [CLI, 'up', fixture.root, '--port', String(await freePort()), '--data-dir', dataDir],
      {
        env: cleanEnv({ MEILI_URL: dead, MEILI_INDEX_PREFIX: meili.indexPrefix }),
      },
    ).then(
      () => assert.fail('myragdb up started without its keyword store'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.notEqual(failed.code, 0);
    assert.match(`${failed.stdout}${failed.stderr}`, /Meilisearch is unavailable/);
  });
});
