import assert from 'node:assert/strict';
import { get } from 'node:http';
import express from 'express';
import { startServer } from '../../src/http/server.js';
import { captureLogger } from '../support/capture-logger.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** An app whose /slow handler waits until the test releases it. */
function slowApp() {
  const entered = deferred();
  const release = deferred();
  const app = express();
  app.get('/slow', async (_req, res) => {
    entered.resolve();
    await release.promise;
    res.send('finished');
  });
  app.get('/fast', (_req, res) => {
    res.send('fast');
  });
  return { app, entered, release };
}

describe('startServer graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the in-flight request, then runs closers in reverse order', async () => {
    const { app, entered, release } = slowApp();
    const { logger, records } = captureLogger();
    const closed: string[] = [];
    const sigtermListenersBefore = process.listenerCount('SIGTERM');
    const running = await startServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 10_000,
      closers: [{ name: 'pool', close: async () => void closed.push('pool') }],
    });
    running.onShutdown({ name: 'chroma', close: () => void closed.push('chroma') });
    assert.equal((await fetchText(`${running.url}/fast`)).body, 'fast');

    const inFlight = fetchText(`${running.url}/slow`);
    await entered.promise;
    process.emit('SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(running.server.listening, false, 'stopped accepting');
    await assert.rejects(fetchText(`${running.url}/fast`), /ECONNREFUSED/);
    assert.deepEqual(closed, [], 'closers wait for in-flight requests');

    release.resolve();
    assert.deepEqual(await inFlight, { status: 200, body: 'finished' });
    await running.closed;
    assert.deepEqual(closed, ['chroma', 'pool']);
    assert.equal(process.listenerCount('SIGTERM'), sigtermListenersBefore, 'signal handlers are removed');
    const lifecycle = records()
      .map((record) => record.message)
      .filter((message) => ['listening', 'shutting down', 'shutdown complete'].includes(String(message)));
    assert.deepEqual(lifecycle, ['listening', 'shutting down', 'shutdown complete']);
    assert.equal(records().find((record) => record.message === 'shutting down')?.reason, 'SIGTERM');
  });

  it('cuts requests still running at the timeout, and still closes everything', async () => {
    const { app, entered, release } = slowApp();
    const { logger, records } = captureLogger();
    let poolClosed = false;
    const running = await startServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 50,
      signals: [],
      closers: [
        { name: 'failing', close: () => Promise.reject(new Error('already closed')) },
        { name: 'pool', close: () => void (poolClosed = true) },
      ],
    });
    const inFlight = fetchText(`${running.url}/slow`);
    await entered.promise;
    const first = running.shutdown('test');
    assert.equal(running.shutdown('again'), first, 'shutdown is idempotent');
    await first;
    await assert.rejects(inFlight, /socket hang up|ECONNRESET/);
    assert.equal(poolClosed, true, 'a failing closer does not stop the others');
    const logged = records();
    assert.ok(logged.some((record) => record.message === 'shutdown timeout reached; closing remaining connections'));
    assert.ok(
      logged.some((record) => record.message === 'closer failed during shutdown' && record.closer === 'failing'),
    );
    release.resolve();
  });

  it('reports a port already in use instead of hanging', async () => {
    const { logger } = captureLogger();
    const first = await startServer({
      app: express(),
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 100,
      signals: [],
    });
    await assert.rejects(
      startServer({ app: express(), port: first.port, host: '127.0.0.1', logger, shutdownTimeoutMs: 100, signals: [] }),
      /EADDRINUSE/,
    );
    await first.shutdown();
  });
});
