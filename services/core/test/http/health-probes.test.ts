import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import {
  HEALTH_LIVE_PATH,
  HEALTH_READY_PATH,
  checkReadiness,
  createHealthProbesRouter,
  type ReadinessCheck,
} from '../../src/http/health-probes.js';

const appWith = (readiness: ReadinessCheck[], timeoutMs?: number) =>
  express().use(createHealthProbesRouter({ readiness, ...(timeoutMs ? { timeoutMs } : {}) }));
const up = (name: string): ReadinessCheck => ({ name, check: () => Promise.resolve() });
const down = (name: string, required?: boolean): ReadinessCheck => ({
  name,
  ...(required === undefined ? {} : { required }),
  check: () => Promise.reject(new Error(`${name} is down`)),
});

describe('health probes router', () => {
  it('answers liveness without touching dependencies', async () => {
    let called = false;
    const app = appWith([{ name: 'db', check: () => Promise.resolve((called = true)) }]);
    await request(app).get(HEALTH_LIVE_PATH).expect(200, { status: 'alive' });
    assert.equal(called, false);
  });

  it('is ready when every required check passes', async () => {
    const response = await request(appWith([up('postgres'), up('chroma')]))
      .get(HEALTH_READY_PATH)
      .expect(200);
    assert.equal(response.body.status, 'ready');
    assert.deepEqual(
      response.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
      [
        ['postgres', true],
        ['chroma', true],
      ],
    );
  });

  it('is not ready (503) when a required check fails, with its message', async () => {
    const response = await request(appWith([up('postgres'), down('chroma')]))
      .get(HEALTH_READY_PATH)
      .expect(503);
    assert.equal(response.body.status, 'not_ready');
    assert.deepEqual(response.body.checks[1], {
      name: 'chroma',
      ok: false,
      required: true,
      latency_ms: response.body.checks[1].latency_ms,
      message: 'chroma is down',
    });
  });

  it('stays ready when only an optional check fails, and still reports it', async () => {
    const response = await request(appWith([up('postgres'), down('chroma', false)]))
      .get(HEALTH_READY_PATH)
      .expect(200);
    assert.equal(response.body.checks[1].ok, false);
    assert.equal(response.body.checks[1].required, false);
  });

  it('fails a check that does not answer within the timeout and aborts it', async () => {
    let aborted = false;
    const hanging: ReadinessCheck = {
      name: 'slow',
      check: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
    };
    const report = await checkReadiness([hanging], 30);
    assert.equal(report.status, 'not_ready');
    assert.equal(report.checks[0]?.message, 'no answer within 30 ms');
    assert.ok(aborted);
  });
});
