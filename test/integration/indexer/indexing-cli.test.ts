import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { createFixtureRepository } from '../../support/fixture-repository.js';
import { usePostgres } from '../../support/postgres.js';

const run = promisify(execFile);

describe('myragdb repo / reindex / index status against the catalog database', function () {
  this.timeout(60_000);
  const postgres = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });

  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['services/cli/bin/myragdb.js', ...args], {
        env: { ...process.env, DATABASE_URL: postgres.url!, LOG_LEVEL: 'error' },
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
});
