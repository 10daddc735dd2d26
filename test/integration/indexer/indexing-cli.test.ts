import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { createFixtureRepository } from '../../support/fixture-repository.js';
import { useChroma } from '../../support/chroma.js';
import { usePostgres } from '../../support/postgres.js';
import { defaultTestEmbedder } from './default-embedder.js';
import { createTestRuntime } from './indexer-fixture.js';

const run = promisify(execFile);

describe('myragdb repo / reindex / index status against the catalog database', function () {
  this.timeout(60_000);
  const postgres = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });
  const chroma = useChroma();

  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['services/cli/bin/myragdb.js', ...args], {
        env: { ...process.env, KEYWORD_ENGINE: 'postgres', DATABASE_URL: postgres.url!, LOG_LEVEL: 'error' },
      });
      return { code: 0, stdout, stderr: '' };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('registers a repository, queues its sync, lists it and reports its status as JSON', async () => {
    const fixture = await createFixtureRepository();
    const added = await cli(
      'repo',
      'add',
      'cli-fixture',
      fixture.root,
      '--exclude',
      'docs/**',
      '--max-file-size',
      '64kb',
      '--json',
    );
    assert.equal(added.code, 0, added.stderr);
    const job = JSON.parse(added.stdout).job as { id: string };
    const repository = (
      await postgres.sql.query<{ exclude_globs: string[]; max_file_bytes: number }>(
        "SELECT exclude_globs, max_file_bytes FROM repositories WHERE name = 'cli-fixture'",
      )
    ).rows[0]!;
    assert.deepEqual([repository.exclude_globs, repository.max_file_bytes], [['docs/**'], 65_536]);

    const listed = JSON.parse((await cli('repo', 'list', '--json')).stdout);
    assert.deepEqual(
      listed.repositories.map((entry: { name: string; status: string; source: string }) => [
        entry.name,
        entry.status,
        entry.source,
      ]),
      [['cli-fixture', 'pending', fixture.root]],
    );

    const reindexed = JSON.parse((await cli('reindex', 'cli-fixture', '--full', '--json')).stdout);
    assert.deepEqual(
      reindexed.jobs.map((entry: { kind: string; state: string }) => [entry.kind, entry.state]),
      [['full', 'queued']],
    );

    const status = JSON.parse((await cli('index', 'status', 'cli-fixture', '--json')).stdout);
    assert.equal(status.name, 'cli-fixture');
    assert.equal(status.vectorsPending, 0);
    assert.equal(status.lastJob.kind, 'full');
    assert.ok([job.id, status.lastJob.id].every((id) => typeof id === 'string'));
  });

  it('refuses bad input with a clear message and registers nothing', async () => {
    const badName = await cli('repo', 'add', 'Bad Name!', '/tmp');
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /name: must be 1-63 characters/);
    const badSize = await cli('repo', 'add', 'ok', '/tmp', '--max-file-size', 'huge');
    assert.match(badSize.stderr, /must be a size/);
    const badScheme = await cli('repo', 'add', 'ok', 'ext::sh -c touch% /tmp/pwned');
    assert.match(badScheme.stderr, /is not a directory \(nor a git URL\)/);
    const unknown = await cli('reindex', 'nope');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /repository "nope" does not exist/);
    const { rows } = await postgres.sql.query("SELECT name FROM repositories WHERE name IN ('ok', 'nope')");
    assert.deepEqual(rows, []);
  });

  it('reindex --wait follows the jobs a worker runs and fails (exit 1) when one fails; status then reports both', async function () {
    this.timeout(180_000);
    const embedder = await defaultTestEmbedder();
    const runtime = await createTestRuntime(postgres, chroma, embedder, { workerId: 'cli-test-worker' });
    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    try {
      const fixture = await createFixtureRepository();
      assert.equal((await cli('repo', 'add', 'waited', fixture.root, '--max-file-size', '64kb')).code, 0);
      const waited = await cli('reindex', 'waited', '--wait', '--json', '--poll-interval', '200');
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(JSON.parse(waited.stdout).jobs.at(-1).state, 'succeeded');
      const status = JSON.parse((await cli('index', 'status', 'waited', '--json')).stdout);
      assert.equal(status.status, 'ready');
      assert.ok(status.files > 0 && status.chunks > 0);
      assert.equal(status.vectorsPending, 0);
      assert.equal(status.skippedByReason.binary, 1);

      assert.equal((await cli('repo', 'add', 'vanishing', fixture.root)).code, 0);
      await postgres.sql.query(
        `UPDATE repositories SET source = jsonb_build_object('type', 'local', 'path', $1::text) WHERE name = 'vanishing'`,
        [`${fixture.root}/missing`],
      );
      const failed = await cli('reindex', 'vanishing', '--wait');
      assert.equal(failed.code, 1);
      assert.match(
        failed.stdout,
        /vanishing: sync job .* failed: source_unavailable: source path .*missing does not exist/,
      );
      const failedStatus = await cli('index', 'status', 'vanishing');
      assert.equal(failedStatus.code, 1, 'status exits 1 when a repository is in error');
      assert.match(failedStatus.stdout, /does not exist/);
    } finally {
      stop.abort();
      await worker;
      await runtime.close();
      await embedder.close();
    }
  });
});
