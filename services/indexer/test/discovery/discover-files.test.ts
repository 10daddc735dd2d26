import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverFiles, type Discovery } from '../../src/discovery/discover-files.js';
import { readSourceFile } from '../../src/discovery/read-source-file.js';
import { SkipReason } from '../../src/discovery/skip-reason.js';
import { SourceUnavailableError, ValidationError } from '../../../core/src/errors.js';

const MAX = 64 * 1024;

async function write(root: string, path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

function reasons(discovery: Discovery): Record<string, string> {
  return Object.fromEntries(discovery.skipped.map(({ path, reason }) => [path, reason]));
}

describe('discoverFiles', () => {
  let base: string;
  let root: string;
  let outside: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'myragdb-discovery-'));
    root = join(base, 'repo');
    outside = join(base, 'outside');
    await write(outside, 'secret.txt', 'outside the repository');
    await write(root, '.gitignore', '*.log\nsecret/\n');
    await write(root, '.myragdbignore', 'drafts/\n');
    await write(root, '.git/HEAD', 'ref: refs/heads/main\n');
    await write(root, '.git/info/exclude', 'local-notes.md\n');
    await write(root, 'README.md', '# Demo\n');
    await write(root, 'local-notes.md', 'mine only\n');
    await write(root, 'debug.log', 'log line\n');
    await write(root, 'src/app.ts', 'export const app = 1;\n');
    await write(root, 'src/app.test.ts', 'test\n');
    await write(root, 'src/.gitignore', 'generated.ts\n!keep.log\n');
    await write(root, 'src/generated.ts', 'export {};\n');
    await write(root, 'src/keep.log', 'kept by the nested negation\n');
    await write(root, 'src/util/helper.py', 'def helper():\n    return 1\n');
    await write(root, 'secret/key.txt', 'k\n');
    await write(root, 'drafts/idea.md', 'draft\n');
    await write(root, 'node_modules/lib/index.js', 'module.exports = 1;\n');
    await write(root, 'dist/bundle.js', 'x\n');
    await write(root, 'package-lock.json', '{}\n');
    await write(root, 'web/app.min.js', 'var a=1;\n');
    await write(root, 'logo.png', new Uint8Array([137, 80, 78, 71, 0, 1]));
    await write(root, 'blob.txt', new Uint8Array([104, 105, 0, 1, 2, 3]));
    await write(root, 'huge.txt', 'x'.repeat(MAX + 1));
    await write(root, 'one-line.js', `var data = "${'a'.repeat(20_000)}";`);
    await symlink(outside, join(root, 'escape-dir'));
    await symlink(join(outside, 'secret.txt'), join(root, 'escape-file.txt'));
    await symlink(join(root, 'src/app.ts'), join(root, 'app-link.ts'));
    await symlink(join(root, 'missing.ts'), join(root, 'broken-link.ts'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('lists indexable files with size and mtime, and a reason for everything it skipped', async () => {
    const discovery = await discoverFiles(root, { include: [], exclude: ['**/*.test.ts'], maxFileBytes: MAX });
    assert.deepEqual(
      [...discovery.files.keys()],
      [
        '.gitignore',
        '.myragdbignore',
        'README.md',
        'blob.txt',
        'one-line.js',
        'src/.gitignore',
        'src/app.ts',
        'src/keep.log',
        'src/util/helper.py',
      ],
    );
    const app = discovery.files.get('src/app.ts')!;
    assert.equal(app.size, 'export const app = 1;\n'.length);
    assert.ok(app.mtimeMs > 0);
    assert.deepEqual(reasons(discovery), {
      '.git/': SkipReason.VENDORED,
      'app-link.ts': SkipReason.SYMLINK,
      'broken-link.ts': SkipReason.SYMLINK_BROKEN,
      'debug.log': SkipReason.IGNORED,
      'dist/': SkipReason.VENDORED,
      'drafts/': SkipReason.IGNORED,
      'escape-dir': SkipReason.SYMLINK_ESCAPES_ROOT,
      'escape-file.txt': SkipReason.SYMLINK_ESCAPES_ROOT,
      'huge.txt': SkipReason.TOO_LARGE,
      'local-notes.md': SkipReason.IGNORED,
      'logo.png': SkipReason.BINARY,
      'node_modules/': SkipReason.VENDORED,
      'package-lock.json': SkipReason.GENERATED,
      pipe: SkipReason.NOT_REGULAR_FILE,
      'secret/': SkipReason.IGNORED,
      'src/app.test.ts': SkipReason.EXCLUDED,
      'src/generated.ts': SkipReason.IGNORED,
      'web/app.min.js': SkipReason.GENERATED,
    });
  });

  it('keeps only files matching the include globs', async () => {
    const discovery = await discoverFiles(root, {
      include: ['src/**/*.ts', '**/*.py'],
      exclude: [],
      maxFileBytes: MAX,
    });
    assert.deepEqual([...discovery.files.keys()], ['src/app.test.ts', 'src/app.ts', 'src/util/helper.py']);
    assert.equal(reasons(discovery)['README.md'], SkipReason.NOT_INCLUDED);
  });

  it('prunes a directory matched by an exclude glob without entering it', async () => {
    const discovery = await discoverFiles(root, { include: [], exclude: ['src'], maxFileBytes: MAX });
    assert.equal(reasons(discovery)['src/'], SkipReason.EXCLUDED);
    assert.ok(![...discovery.files.keys()].some((path) => path.startsWith('src/')));
  });

  it('fails with SourceUnavailableError when the root is missing', async () => {
    await assert.rejects(
      discoverFiles(join(base, 'nope'), { include: [], exclude: [], maxFileBytes: MAX }),
      SourceUnavailableError,
    );
  });

  describe('readSourceFile', () => {
    it('returns text with the sha256 of its bytes', async () => {
      const file = await readSourceFile(root, 'src/util/helper.py', MAX);
      assert.equal(file.kind, 'text');
      if (file.kind !== 'text') return;
      assert.equal(file.content, 'def helper():\n    return 1\n');
      assert.equal(file.contentHash, createHash('sha256').update(file.content).digest('hex'));
      assert.equal(file.size, file.content.length);
    });

    it('skips binary content, minified text, oversized files and links', async () => {
      assert.deepEqual(await readSourceFile(root, 'blob.txt', MAX), { kind: 'skipped', reason: SkipReason.BINARY });
      assert.deepEqual(await readSourceFile(root, 'one-line.js', MAX), {
        kind: 'skipped',
        reason: SkipReason.MINIFIED,
      });
      assert.deepEqual(await readSourceFile(root, 'README.md', 3), { kind: 'skipped', reason: SkipReason.TOO_LARGE });
      assert.deepEqual(await readSourceFile(root, 'escape-file.txt', MAX), {
        kind: 'skipped',
        reason: SkipReason.SYMLINK,
      });
      assert.deepEqual(await readSourceFile(root, 'escape-dir/secret.txt', MAX), {
        kind: 'skipped',
        reason: SkipReason.SYMLINK_ESCAPES_ROOT,
      });
      assert.deepEqual(await readSourceFile(root, 'gone.ts', MAX), { kind: 'skipped', reason: SkipReason.UNREADABLE });
    });

    it('refuses a file swapped for a link to outside after discovery', async () => {
      await write(root, 'swap.txt', 'inside\n');
      const discovery = await discoverFiles(root, { include: [], exclude: [], maxFileBytes: MAX });
      assert.ok(discovery.files.has('swap.txt'));
      await unlink(join(root, 'swap.txt'));
      await symlink(join(outside, 'secret.txt'), join(root, 'swap.txt'));
      const file = await readSourceFile(root, 'swap.txt', MAX);
      assert.equal(file.kind, 'skipped');
    });

    it('rejects paths that are not repository-relative', async () => {
      await assert.rejects(readSourceFile(root, '../outside/secret.txt', MAX), ValidationError);
      await assert.rejects(readSourceFile(root, '/etc/passwd', MAX), ValidationError);
    });
  });
});
