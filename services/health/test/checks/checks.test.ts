import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Meilisearch } from 'meilisearch';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { createHealthProbesRouter, type ReadinessCheck } from '../../../core/src/http/health-probes.js';
import { createServiceApp } from '../../../core/src/http/service-app.js';
import { createMetrics } from '../../../core/src/metrics.js';
import { captureLogger } from '../../../core/test/support/capture-logger.js';
import { freePort } from '../../../../test/support/ports.js';
import { runCheck, type ComponentCheck } from '../../src/checks/component-check.js';
import { MeilisearchCheck, meilisearchVerdict } from '../../src/checks/meilisearch.check.js';
import { ServiceInstanceCheck } from '../../src/checks/service-instance.check.js';
import { createHttpServer } from '../../../core/src/http/server.js';

/** A real service HTTP stack (core middleware + the shared probe router) with the given readiness checks. */
async function startService(readiness: ReadinessCheck[]): Promise<{ url: string; server: Server }> {
  const app = createServiceApp({
    config: loadConfig({}),
    logger: captureLogger({ level: 'error' }).logger,
    metrics: createMetrics('search-gateway'),
    routes: (express) => {
      express.use(createHealthProbesRouter({ readiness, timeoutMs: 300 }));
    },
  });
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const ok: ReadinessCheck = { name: 'postgres', check: () => Promise.resolve() };
const failing = (name: string, required = true): ReadinessCheck => ({
  name,
  required,
  check: () => Promise.reject(new Error(`${name} refused`)),
});

describe('runCheck', () => {
  it('turns a check that hangs into an unhealthy component after the timeout, aborting its signal', async () => {
    let aborted = false;
    const hanging: ComponentCheck = {
      name: 'chroma',
      kind: 'vector-store',
      probe: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
    };
    const { component } = await runCheck(hanging, 50);
    assert.equal(component.status, 'unhealthy');
    assert.equal(component.message, 'no answer within 50 ms');
    assert.ok(aborted);
    assert.ok((component.latency_ms ?? 0) >= 45);
  });

  it('turns a thrown error into an unhealthy component with its message and cause', async () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const { component } = await runCheck(
      { name: 'x', kind: 'postgres', probe: () => Promise.reject(new Error('fetch failed', { cause })) },
      1000,
    );
    assert.equal(component.status, 'unhealthy');
    assert.equal(component.message, 'fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('ServiceInstanceCheck against a real service probe surface', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));
  const instance = async (readiness: ReadinessCheck[]) => {
    const { url, server } = await startService(readiness);
    servers.push(server);
    return new ServiceInstanceCheck({ kind: 'search-gateway', url, id: new URL(url).host });
  };
  const probe = (check: ServiceInstanceCheck) => runCheck(check, 2000).then((run) => run.component);

  it('is healthy when live and ready', async () => {
    const component = await probe(await instance([ok]));
    assert.equal(component.status, 'healthy');
    assert.match(component.name, /^search-gateway\/127\.0\.0\.1:\d+$/);
  });

  it('is unhealthy when not ready, naming the failing dependency', async () => {
    const component = await probe(await instance([ok, failing('chroma')]));
    assert.equal(component.status, 'unhealthy');
    assert.equal(component.message, 'alive but not ready (HTTP 503): chroma: chroma refused');
  });

  it('is degraded when ready without an optional dependency', async () => {
    const component = await probe(await instance([ok, failing('chroma', false)]));
    assert.equal(component.status, 'degraded');
    assert.equal(component.message, 'ready without chroma: chroma refused');
  });

  it('is unhealthy when nothing listens', async () => {
    const port = await freePort();
    const check = new ServiceInstanceCheck({ kind: 'indexer', url: `http://127.0.0.1:${port}`, id: 'gone' });
    const component = await probe(check);
    assert.equal(component.status, 'unhealthy');
    assert.match(component.message, /ECONNREFUSED/);
  });
});

describe('MeilisearchCheck', () => {
  it('is unhealthy with the connection error when Meilisearch does not answer', async () => {
    const port = await freePort();
    const check = new MeilisearchCheck(new Meilisearch({ host: `http://127.0.0.1:${port}`, timeout: 1000 }), 'x');
    const { component } = await runCheck(check, 2000);
    assert.equal(component.kind, 'keyword-store');
    assert.equal(component.status, 'unhealthy');
    assert.match(component.message, /ECONNREFUSED|fetch failed|request/i);
  });

  it('is degraded by failed tasks in the window or a queue that stopped moving, and says which', () => {
    const findings = {
      index: 'myragdb_chunks',
      documents: 10,
      pendingTasks: 0,
      oldestPendingTaskAgeSeconds: 0,
      failedTasks: 0,
      lastFailure: undefined,
    };
    assert.equal(meilisearchVerdict(findings).status, 'healthy');
    assert.match(meilisearchVerdict({ ...findings, documents: null }).message, /not created yet/);
    const failed = meilisearchVerdict({
      ...findings,
      failedTasks: 2,
      lastFailure: { uid: 7, type: 'documentAdditionOrUpdate', code: 'no_space_left_on_device', message: 'full' },
    });
    assert.equal(failed.status, 'degraded');
    assert.match(failed.message, /2 task\(s\) failed .*task 7 documentAdditionOrUpdate: no_space_left_on_device/);
    assert.equal(
      meilisearchVerdict({ ...findings, pendingTasks: 3, oldestPendingTaskAgeSeconds: 600 }).status,
      'healthy',
    );
    const stalled = meilisearchVerdict({ ...findings, pendingTasks: 3, oldestPendingTaskAgeSeconds: 901 });
    assert.equal(stalled.status, 'degraded');
    assert.match(stalled.message, /3 task\(s\) pending, the oldest for 901 s/);
  });
});
