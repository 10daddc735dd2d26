import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGitRef, assertGitUrl, createGitCheckout } from '../../src/discovery/git-checkout.js';
import { SourceUnavailableError, ValidationError } from '../../../core/src/errors.js';
import { startGitHttpsServer, type GitHttpsServer } from '../../../../test/support/git-https-server.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

describe('createGitCheckout', () => {
  let base: string;
  let origin: string;
  let author: string;
  let url: string;
  let checkout: ReturnType<typeof createGitCheckout>;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'myragdb-git-'));
    origin = join(base, 'origin.git');
    author = join(base, 'author');
    url = `file://${origin}`;
    git(base, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    await mkdir(author);
    git(author, 'init', '--quiet', '--initial-branch=main');
    await writeFile(join(author, 'README.md'), '# v1\n');
    await writeFile(join(author, 'old.ts'), 'export const old = 1;\n');
    git(author, 'add', '.');
    git(author, 'commit', '--quiet', '-m', 'v1');
    git(author, 'tag', 'v1');
    git(author, 'push', '--quiet', '--tags', origin, 'main');
    checkout = createGitCheckout({ workDir: join(base, 'work'), timeoutMs: 30_000 });
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('clones the default branch shallowly into <workDir>/<repository>', async () => {
    const directory = await checkout('demo', { url });
    assert.equal(directory, join(base, 'work', 'demo'));
    assert.equal(readFileSync(join(directory, 'README.md'), 'utf8'), '# v1\n');
    assert.equal(git(directory, 'rev-parse', '--is-shallow-repository'), 'true');
  });

  it('fetches new commits into the same directory, dropping deleted and untracked files', async () => {
    await writeFile(join(author, 'README.md'), '# v2\n');
    git(author, 'rm', '--quiet', 'old.ts');
    git(author, 'add', '.');
    git(author, 'commit', '--quiet', '-m', 'v2');
    git(author, 'push', '--quiet', origin, 'main');
    const directory = join(base, 'work', 'demo');
    await writeFile(join(directory, 'stray.txt'), 'left behind by someone');
    assert.equal(await checkout('demo', { url, ref: 'main' }), directory);
    assert.equal(readFileSync(join(directory, 'README.md'), 'utf8'), '# v2\n');
    assert.equal(existsSync(join(directory, 'old.ts')), false);
    assert.equal(existsSync(join(directory, 'stray.txt')), false);
    assert.equal(git(directory, 'rev-list', '--count', 'HEAD'), '1', 'only the newest commit is downloaded');
  });

  it('checks out a tag', async () => {
    const directory = await checkout('tagged', { url, ref: 'v1' });
    assert.equal(readFileSync(join(directory, 'README.md'), 'utf8'), '# v1\n');
    assert.ok(existsSync(join(directory, 'old.ts')));
  });

  it('serialises concurrent checkouts of one repository', async () => {
    const [first, second] = await Promise.all([checkout('twice', { url }), checkout('twice', { url, ref: 'v1' })]);
    assert.equal(first, second);
    assert.equal(readFileSync(join(first, 'README.md'), 'utf8'), '# v1\n', 'the later call ran last');
  });

  it('reports an unreachable remote or a missing ref as SourceUnavailableError', async () => {
    await assert.rejects(checkout('missing', { url: `file://${join(base, 'nope.git')}` }), SourceUnavailableError);
    await assert.rejects(checkout('demo', { url, ref: 'no-such-branch' }), (error: unknown) => {
      assert.ok(error instanceof SourceUnavailableError);
      assert.match(error.message, /no-such-branch/);
      return true;
    });
  });

  it('rejects other transports, credentials in URLs and option-like refs before running git', async () => {
    for (const bad of [
      'ext::sh -c touch% /tmp/pwned',
      'http://example.com/repo.git',
      'git://example.com/repo.git',
      '/srv/repo.git',
      'https://user:secret@example.com/repo.git',
      '-oProxyCommand=evil@host:repo',
    ]) {
      assert.throws(() => assertGitUrl(bad), ValidationError, bad);
      await assert.rejects(checkout('demo', { url: bad }), ValidationError);
    }
    for (const good of ['https://example.com/r.git', 'ssh://git@example.com/r.git', 'git@example.com:org/r.git', url]) {
      assert.doesNotThrow(() => assertGitUrl(good), good);
    }
    for (const bad of ['--upload-pack=evil', 'a..b', 'has space', 'x@{1}', 'a:b']) {
      assert.throws(() => assertGitRef(bad), ValidationError, bad);
    }
    for (const good of ['main', 'release/1.2', 'v1.0.0', '0123456789abcdef0123456789abcdef01234567']) {
      assert.doesNotThrow(() => assertGitRef(good), good);
    }
    await assert.rejects(checkout('../escape', { url }), ValidationError);
    await assert.rejects(checkout('demo', { url, credentials: { token: 't0ken' } }), /only sent over https/);
  });

  describe('over https with credentials', () => {
    const token = 'ghp_s3cretT0ken';
    let server: GitHttpsServer;
    let argvLog: string;
    let spyingCheckout: ReturnType<typeof createGitCheckout>;
    let previousCa: string | undefined;

    before(async () => {
      server = await startGitHttpsServer({ projectRoot: base, certDir: base, username: 'bot', token });
      previousCa = process.env.GIT_SSL_CAINFO;
      process.env.GIT_SSL_CAINFO = server.caFile;
      // A git wrapper that records every argv and environment, to prove the token is in neither argv nor URLs.
      argvLog = join(base, 'argv.log');
      const wrapper = join(base, 'git-spy.sh');
      await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec git "$@"\n`, { mode: 0o755 });
      spyingCheckout = createGitCheckout({ workDir: join(base, 'https-work'), gitBinary: wrapper, timeoutMs: 30_000 });
    });

    after(async () => {
      if (previousCa === undefined) delete process.env.GIT_SSL_CAINFO;
      else process.env.GIT_SSL_CAINFO = previousCa;
      await server.close();
    });

    it('sends the token as a Basic authorization header, never in argv', async () => {
      const directory = await spyingCheckout('private', {
        url: `${server.baseUrl}origin.git`,
        credentials: { username: 'bot', token },
      });
      assert.equal(readFileSync(join(directory, 'README.md'), 'utf8'), '# v2\n');
      assert.ok(server.authorizations.includes(`Basic ${Buffer.from(`bot:${token}`).toString('base64')}`));
      const argv = readFileSync(argvLog, 'utf8');
      assert.match(argv, /fetch/);
      assert.ok(!argv.includes(token) && !argv.includes(Buffer.from(`bot:${token}`).toString('base64')));
    });

    it('fails without prompting when the token is wrong, and never echoes it', async () => {
      const wrong = 'wrong-t0ken-value';
      await assert.rejects(
        spyingCheckout('private-wrong', { url: `${server.baseUrl}origin.git`, credentials: { token: wrong } }),
        (error: unknown) => {
          assert.ok(error instanceof SourceUnavailableError);
          assert.ok(!error.message.includes(wrong), error.message);
          return true;
        },
      );
      await assert.rejects(spyingCheckout('anonymous', { url: `${server.baseUrl}origin.git` }), SourceUnavailableError);
    });
  });
});
