import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ERROR_LOG_FILE_NAME,
  LOG_FILE_NAME,
  LOG_ROTATE_BYTES,
  closeLogger,
  createLogger,
  createLoggerFromConfig,
  runWithRequestContext,
} from '../../src/logging.js';
import { captureLogger } from '../support/capture-logger.js';
import { loadConfig } from '../../src/config/load-config.js';

const capture = (format: 'json' | 'pretty' = 'json', level: 'info' | 'debug' = 'info') =>
  captureLogger({ service: 'search-gateway', format, level });

describe('logging', () => {
  it('writes one JSON object per line with timestamp, level, message and service', () => {
    const { logger, records } = capture();
    logger.info('indexed repository', { repository: 'api', files: 12 });
    const [record] = records();
    assert.ok(record);
    assert.equal(record.level, 'info');
    assert.equal(record.message, 'indexed repository');
    assert.equal(record.service, 'search-gateway');
    assert.equal(record.repository, 'api');
    assert.equal(record.files, 12);
    assert.match(String(record.timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(new Date(String(record.timestamp)).toISOString(), record.timestamp);
  });

  it('carries request_id in context across awaits, so jq can select one request', async () => {
    const { logger, records } = capture();
    const serve = (requestId: string) =>
      runWithRequestContext({ request_id: requestId }, async () => {
        logger.info('start');
        await new Promise((resolve) => setImmediate(resolve));
        logger.child({ component: 'search' }).info('end');
      });
    await Promise.all([serve('req-a'), serve('req-b')]);
    logger.info('outside any request');
    // jq 'select(.context.request_id=="req-a")'
    const selected = records().filter(
      (record) => (record.context as { request_id?: string } | undefined)?.request_id === 'req-a',
    );
    assert.deepEqual(
      selected.map((record) => record.message),
      ['start', 'end'],
    );
    assert.equal(selected[1]?.component, 'search');
    assert.equal(records().find((record) => record.message === 'outside any request')?.context, undefined);
  });

  it('filters below the configured level', () => {
    const { logger, records } = capture('json', 'info');
    logger.debug('hidden');
    logger.warn('shown');
    assert.deepEqual(
      records().map((record) => record.message),
      ['shown'],
    );
  });

  it('DEBUG=true lowers the level to debug, never raises it', () => {
    assert.equal(createLoggerFromConfig(loadConfig({ LOG_LEVEL: 'warn', DEBUG: 'true' }), 'x').level, 'debug');
    assert.equal(createLoggerFromConfig(loadConfig({ LOG_LEVEL: 'silly', DEBUG: 'true' }), 'x').level, 'silly');
    assert.equal(createLoggerFromConfig(loadConfig({ LOG_LEVEL: 'warn' }), 'x').level, 'warn');
  });

  it('logs errors with their stack', () => {
    const { logger, records } = capture();
    logger.error('query failed', { error: new Error('connection reset') });
    const error = records()[0]?.error as { message: string; stack: string; name: string };
    assert.equal(error.message, 'connection reset');
    assert.equal(error.name, 'Error');
    assert.match(error.stack, /^Error: connection reset\n\s+at /);
  });

  it('pretty format is one readable line with the request id', () => {
    const { logger, lines } = capture('pretty');
    runWithRequestContext({ request_id: 'req-9' }, () => logger.info('hello', { repository: 'api' }));
    const [line] = lines();
    // eslint-disable-next-line no-control-regex
    const plain = line?.replace(/\u001b\[\d+m/g, '');
    assert.match(plain ?? '', /^\S+Z info \[search-gateway\] \(req-9\) hello \{"repository":"api"\}$/);
  });

  describe('redaction', () => {
    const secrets = ['hunter2', 'sk-live-abcdef123456', 'tok_987654321', 'Zm9vOmJhcg==', 'meili-master-key'];

    it('hides secrets in metadata at any depth and in messages', () => {
      const { logger, lines, records } = capture();
      logger.info('connecting to postgres://myragdb:hunter2@db:5432/myragdb', {
        headers: { Authorization: 'Bearer sk-live-abcdef123456', 'content-type': 'application/json' },
        request: { body: { nested: [{ password: 'hunter2', apiKey: 'meili-master-key' }] } },
        github_token: 'tok_987654321',
        note: 'sent Authorization: Basic Zm9vOmJhcg==',
        max_tokens: 512,
      });
      logger.error('failed', { error: new Error('auth failed for token=tok_987654321') });
      const output = lines().join('\n');
      for (const secret of secrets) assert.ok(!output.includes(secret), `log leaks ${secret}`);
      const [first] = records();
      assert.equal(first?.message, 'connecting to postgres://myragdb:[REDACTED]@db:5432/myragdb');
      assert.deepEqual(first?.headers, { Authorization: '[REDACTED]', 'content-type': 'application/json' });
      assert.equal(first?.github_token, '[REDACTED]');
      assert.equal(first?.max_tokens, 512, 'numeric counters are not secrets');
    });

    it('does not modify the caller’s objects', () => {
      const { logger } = capture();
      const meta = { password: 'hunter2' };
      logger.info('x', meta);
      assert.equal(meta.password, 'hunter2');
    });
  });

  describe('files', () => {
    let logDir: string;
    beforeEach(() => {
      logDir = mkdtempSync(join(tmpdir(), 'myragdb-logs-'));
    });
    afterEach(() => rmSync(logDir, { recursive: true, force: true }));

    it('writes everything to myragdb.log and only errors to myragdb_error.log, rotating at 10 MB by default', async () => {
      const logger = createLoggerFromConfig(loadConfig({ LOG_DIR: logDir, LOG_MAX_FILES: '3' }), 'indexer');
      assert.equal(LOG_ROTATE_BYTES, 10 * 1024 * 1024);
      logger.info('all only');
      logger.error('an error');
      await closeLogger(logger);
      const all = readFileSync(join(logDir, LOG_FILE_NAME), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const errors = readFileSync(join(logDir, ERROR_LOG_FILE_NAME), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.deepEqual(
        all.map((record: { message: string }) => record.message),
        ['all only', 'an error'],
      );
      assert.deepEqual(
        errors.map((record: { message: string }) => record.message),
        ['an error'],
      );
      assert.equal(all[0].service, 'indexer');
    });

    it('rotates when a file reaches its size and keeps at most maxFiles', async () => {
      const logger = createLogger({
        service: 'indexer',
        level: 'info',
        format: 'pretty',
        logDir,
        maxFiles: 2,
        maxFileBytes: 2_000,
      });
      for (let index = 0; index < 100; index += 1) logger.info(`line ${index} ${'x'.repeat(100)}`);
      logger.error('last error');
      await closeLogger(logger);
      // Nothing else in the directory: at most maxFiles rotated copies of each log.
      assert.deepEqual(readdirSync(logDir).sort(), [
        'myragdb.log',
        'myragdb.log.1',
        'myragdb.log.2',
        'myragdb_error.log',
      ]);
      for (const name of ['myragdb.log.1', 'myragdb.log.2']) {
        const size = readFileSync(join(logDir, name)).length;
        assert.ok(size >= 2_000 && size < 2_000 + 300, `${name} rotated near the limit (${size} bytes)`);
      }
      // Files are JSON even when the console format is pretty: they exist for jq.
      const newest = readFileSync(join(logDir, 'myragdb.log'), 'utf8').trim().split('\n');
      assert.equal(JSON.parse(newest.at(-1) ?? '{}').message, 'last error');
      assert.match(JSON.parse(newest.at(-2) ?? '{}').message, /^line 99 /);
    });
  });
});
