import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NotFoundError, ValidationError } from '../../../core/src/errors.js';
import { readConfinedFile, validateRelativePath } from '../../src/files/confined-file.reader.js';

const limits = { maxFileBytes: 1024, maxLines: 3 };

describe('readConfinedFile', () => {
  let base: string;
  let root: string;

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'myragdb-files-'));
    root = path.join(base, 'repo');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src/a.ts'), 'one\ntwo\nthree\nfour\nfive\n');
    await writeFile(path.join(root, 'binary.bin'), Buffer.from([1, 2, 0, 3]));
    await writeFile(path.join(root, 'big.txt'), 'x'.repeat(2048));
    await writeFile(path.join(base, 'secret.txt'), 'outside');
    await writeFile(path.join(base, 'repo-sibling.txt'), 'sibling with a shared name prefix');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'escape.txt'));
    await symlink(base, path.join(root, 'escape-dir'));
    await symlink('src/a.ts', path.join(root, 'inside-link.ts'));
  });

  after(() => rm(base, { recursive: true, force: true }));

  it('returns a line range and the total line count', async () => {
    assert.deepEqual(await readConfinedFile(root, 'src/a.ts', { start: 2, end: 3 }, limits), {
      content: 'two\nthree',
      startLine: 2,
      endLine: 3,
      totalLines: 5,
    });
  });

  it('caps the range at maxLines and at the end of the file', async () => {
    assert.equal((await readConfinedFile(root, 'src/a.ts', {}, limits)).endLine, 3);
    assert.deepEqual(await readConfinedFile(root, 'src/a.ts', { start: 4, end: 99 }, limits), {
      content: 'four\nfive',
      startLine: 4,
      endLine: 5,
      totalLines: 5,
    });
  });

  it('follows a symlink that stays inside the repository', async () => {
    assert.equal((await readConfinedFile(root, 'inside-link.ts', { start: 1, end: 1 }, limits)).content, 'one');
  });

  it('refuses symlinks that escape the repository as not found', async () => {
    await assert.rejects(readConfinedFile(root, 'escape.txt', {}, limits), NotFoundError);
    await assert.rejects(readConfinedFile(root, 'escape-dir/secret.txt', {}, limits), NotFoundError);
  });

  it('rejects traversal and malformed paths before touching the disk', async () => {
    for (const bad of [
      '../secret.txt',
      'src/../../secret.txt',
      '/etc/passwd',
      'src//a.ts',
      './src/a.ts',
      'src\\a.ts',
      'a\0b',
      '',
    ]) {
      await assert.rejects(readConfinedFile(root, bad, {}, limits), ValidationError, bad);
    }
    assert.equal(validateRelativePath('src/a.ts'), 'src/a.ts');
  });

  it('does not treat a sibling directory with the same prefix as inside', async () => {
    await symlink(path.join(base, 'repo-sibling.txt'), path.join(root, 'sibling-link.txt'));
    await assert.rejects(readConfinedFile(root, 'sibling-link.txt', {}, limits), NotFoundError);
  });

  it('reports missing files, directories, binary and oversized files', async () => {
    await assert.rejects(readConfinedFile(root, 'src/missing.ts', {}, limits), NotFoundError);
    await assert.rejects(readConfinedFile(root, 'src', {}, limits), NotFoundError);
    await assert.rejects(readConfinedFile(root, 'binary.bin', {}, limits), /binary/);
    await assert.rejects(readConfinedFile(root, 'big.txt', {}, limits), /larger than/);
    await assert.rejects(readConfinedFile(path.join(base, 'gone'), 'src/a.ts', {}, limits), NotFoundError);
  });

  it('rejects inverted ranges and starts past the end', async () => {
    await assert.rejects(readConfinedFile(root, 'src/a.ts', { start: 3, end: 2 }, limits), ValidationError);
    await assert.rejects(readConfinedFile(root, 'src/a.ts', { start: 6 }, limits), /past the end/);
  });
});
