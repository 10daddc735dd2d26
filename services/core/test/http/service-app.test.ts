import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { DependencyError, NotFoundError } from '../../src/errors.js';
import { createServiceApp, livenessHandler } from '../../src/http/service-app.js';
import { REQUEST_ID_HEADER } from '../../src/http/request-context.middleware.js';
import { currentRequestContext } from '../../src/logging.js';
import { createMetrics } from '../../src/metrics.js';
import { captureLogger } from '../support/capture-logger.js';

const ALLOWED_ORIGIN = 'https://ui.example.com';

function buildApp(env: Record<string, string> = {}) {
  const config = loadConfig({ ENVIRONMENT: 'test', CORS_ORIGINS: ALLOWED_ORIGIN, ...env });
  const captured = captureLogger();
  const metrics = createMetrics('test-service');
  const app = createServiceApp({
    config,
    logger: captured.logger,
    metrics,
    routes: (app) => {
      const repositories = express.Router();
      repositories.get('/:name', (req, res) => {
        res.json({ name: req.params.name, request_id: req.requestId, context: currentRequestContext() });
      });
      app.use('/api/v1/repositories', repositories);
      app.post('/api/v1/echo', (req, res) => {
        res.json({ body: req.body as unknown });
      });
      app.get('/api/v1/health/live', livenessHandler());
      app.get('/api/v1/boom', () => {
        throw new Error('pool exhausted connecting to postgres://svc:hunter2@db/x at /srv/app/internal-module.ts');
      });
      app.get('/api/v1/async-boom', async () => {
        await Promise.resolve();
        throw new TypeError("Cannot read properties of undefined (reading 'rows')");
      });
      app.get('/api/v1/missing', () => {
        throw new NotFoundError('Repository api not found', { details: { repository: 'api' } });
      });
      app.get('/api/v1/dependency', () => {
        throw new DependencyError('chroma', 'connect ECONNREFUSED 10.0.0.7:8000');
      });
    },
  });
  return { app, config, metrics, ...captured };
}

describe('createServiceApp middleware', () => {
  describe('X-Request-ID', () => {
    it('echoes a well-formed id and exposes it to handlers and log context', async () => {
      const { app, records } = buildApp();
      const response = await request(app).get('/api/v1/repositories/alpha').set(REQUEST_ID_HEADER, 'trace-123.abc');
      assert.equal(response.status, 200);
      assert.equal(response.headers['x-request-id'], 'trace-123.abc');
      assert.deepEqual(response.body, {
        name: 'alpha',
        request_id: 'trace-123.abc',
        context: { request_id: 'trace-123.abc' },
      });
      const completed = records().find((record) => record.message === 'request completed');
      assert.deepEqual(completed?.context, { request_id: 'trace-123.abc' });
    });

    it('generates a UUID when the header is missing', async () => {
      const { app } = buildApp();
      const response = await request(app).get('/api/v1/repositories/alpha');
      assert.match(
        response.headers['x-request-id'] ?? '',
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    });

    it('replaces malformed ids instead of echoing them', async () => {
      const { app } = buildApp();
      for (const malformed of ['has spaces', 'x'.repeat(200), '<script>', '-leading-dash']) {
        const response = await request(app).get('/api/v1/repositories/alpha').set(REQUEST_ID_HEADER, malformed);
        assert.notEqual(response.headers['x-request-id'], malformed);
        assert.match(response.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      }
    });
  });

  describe('request bodies', () => {
    it('accepts JSON within the size limit', async () => {
      const { app } = buildApp({ REQUEST_SIZE_LIMIT: '1kb' });
      const response = await request(app).post('/api/v1/echo').send({ query: 'retry' });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { body: { query: 'retry' } });
    });

    it('rejects a body over REQUEST_SIZE_LIMIT with 413 JSON', async () => {
      const { app, records } = buildApp({ REQUEST_SIZE_LIMIT: '1kb' });
      const response = await request(app)
        .post('/api/v1/echo')
        .set(REQUEST_ID_HEADER, 'big-1')
        .send({ text: 'x'.repeat(2048) });
      assert.equal(response.status, 413);
      assert.match(response.headers['content-type'] ?? '', /application\/json/);
      assert.deepEqual(response.body, {
        error: {
          code: 'payload_too_large',
          message: 'Request body exceeds the limit of 1024 bytes',
          request_id: 'big-1',
          details: { limit_bytes: 1024 },
        },
      });
      assert.ok(!records().some((record) => record.level === 'error'), 'client errors are not logged as errors');
    });

    it('rejects non-JSON bodies with 415', async () => {
      const { app } = buildApp();
      const response = await request(app).post('/api/v1/echo').set('Content-Type', 'text/plain').send('hello');
      assert.equal(response.status, 415);
      assert.equal(response.body.error.code, 'unsupported_media_type');
      assert.match(response.body.error.message, /Content-Type text\/plain is not supported; send application\/json/);
    });

    it('accepts a POST without a body', async () => {
      const { app } = buildApp();
      const response = await request(app).post('/api/v1/echo');
      assert.equal(response.status, 200);
    });

    it('rejects malformed JSON with 400', async () => {
      const { app } = buildApp();
      const response = await request(app)
        .post('/api/v1/echo')
        .set('Content-Type', 'application/json')
        .send('{"query": "retry",');
      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.equal(response.body.error.message, 'Request body is not valid JSON');
      assert.ok(!JSON.stringify(response.body).includes('Unexpected'), 'parser internals stay out of the body');
    });
  });

  describe('errors', () => {
    it('answers unknown routes with 404 JSON', async () => {
      const { app } = buildApp();
      const response = await request(app).get('/api/v1/nothing-here').set(REQUEST_ID_HEADER, 'nf-1');
      assert.equal(response.status, 404);
      assert.deepEqual(response.body, {
        error: { code: 'not_found', message: 'No route for GET /api/v1/nothing-here', request_id: 'nf-1' },
      });
    });

    it('maps AppErrors to their status with details', async () => {
      const { app } = buildApp();
      const response = await request(app).get('/api/v1/missing');
      assert.equal(response.status, 404);
      assert.deepEqual(response.body.error.details, { repository: 'api' });
    });

    for (const path of ['/api/v1/boom', '/api/v1/async-boom']) {
      it(`turns an unexpected error into a 500 without internals (${path})`, async () => {
        const { app, records } = buildApp();
        const response = await request(app).get(path).set(REQUEST_ID_HEADER, 'err-1');
        assert.equal(response.status, 500);
        assert.deepEqual(response.body, {
          error: { code: 'internal_error', message: 'Internal server error', request_id: 'err-1' },
        });
        const raw = JSON.stringify(response.body) + JSON.stringify(response.headers);
        for (const leak of ['hunter2', 'internal-module', 'stack', 'rows', 'TypeError']) {
          assert.ok(!raw.includes(leak), `response leaks ${leak}`);
        }
        const logged = records().find((record) => record.message === 'request failed');
        assert.equal(logged?.level, 'error');
        assert.deepEqual(logged?.context, { request_id: 'err-1' });
        const loggedError = logged?.error as { message: string; stack: string };
        assert.ok(loggedError.stack.length > 0, 'the log keeps the stack');
        assert.ok(!JSON.stringify(logged).includes('hunter2'), 'the log redacts secrets');
      });
    }

    it('hides dependency details behind a generic 503', async () => {
      const { app } = buildApp();
      const response = await request(app).get('/api/v1/dependency');
      assert.equal(response.status, 503);
      assert.deepEqual(response.body.error.code, 'dependency_unavailable');
      assert.equal(response.body.error.message, 'A dependency is unavailable; try again later');
    });
  });

  describe('CORS', () => {
    it('allows listed origins and exposes the request id and rate-limit headers', async () => {
      const { app } = buildApp();
      const response = await request(app).get('/api/v1/repositories/alpha').set('Origin', ALLOWED_ORIGIN);
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.match(response.headers['access-control-expose-headers'] ?? '', /X-Request-ID/);
      assert.match(response.headers['access-control-expose-headers'] ?? '', /Retry-After/);
    });

    it('answers an allowed preflight', async () => {
      const { app } = buildApp();
      const response = await request(app)
        .options('/api/v1/echo')
        .set('Origin', ALLOWED_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      assert.equal(response.status, 204);
      assert.equal(response.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.match(response.headers['access-control-allow-methods'] ?? '', /POST/);
    });

    it('refuses other origins with 403 JSON and no CORS headers', async () => {
      const { app } = buildApp();
      for (const req of [
        request(app).get('/api/v1/repositories/alpha').set('Origin', 'https://evil.example.net'),
        request(app)
          .options('/api/v1/echo')
          .set('Origin', 'https://evil.example.net')
          .set('Access-Control-Request-Method', 'POST'),
      ]) {
        const response = await req;
        assert.equal(response.status, 403);
        assert.equal(response.body.error.code, 'forbidden');
        assert.equal(response.body.error.message, 'Origin https://evil.example.net is not allowed by CORS_ORIGINS');
        assert.equal(response.headers['access-control-allow-origin'], undefined);
      }
    });

    it('lets requests without Origin (CLI, agents) and same-origin requests through', async () => {
      const { app } = buildApp({ CORS_ORIGINS: '' });
      assert.equal((await request(app).get('/api/v1/repositories/alpha')).status, 200);
      const sameOrigin = await request(app)
        .get('/api/v1/repositories/alpha')
        .set('Host', 'search.internal:3002')
        .set('Origin', 'http://search.internal:3002');
      assert.equal(sameOrigin.status, 200);
    });
  });

  describe('rate limits', () => {
    it('limits one client per minute with RateLimit-* and Retry-After headers', async () => {
      const { app } = buildApp({ RATE_LIMIT_REQUESTS_PER_MINUTE: '3' });
      for (let index = 0; index < 3; index += 1) {
        const ok = await request(app).get('/api/v1/repositories/alpha');
        assert.equal(ok.status, 200);
        assert.equal(ok.headers['ratelimit-limit'], '3');
        assert.equal(ok.headers['ratelimit-remaining'], String(2 - index));
      }
      const limited = await request(app).get('/api/v1/repositories/alpha').set(REQUEST_ID_HEADER, 'rl-1');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['ratelimit-limit'], '3');
      assert.equal(limited.headers['ratelimit-remaining'], '0');
      assert.equal(limited.headers['ratelimit-policy'], '3;w=60');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.deepEqual(limited.body, {
        error: {
          code: 'rate_limited',
          message: `Too many requests from this client; retry after ${retryAfter} s`,
          request_id: 'rl-1',
          details: { scope: 'client', window: 'minute', limit: 3 },
        },
      });
    });

    it('limits one client per hour', async () => {
      const { app } = buildApp({ RATE_LIMIT_REQUESTS_PER_MINUTE: '100', RATE_LIMIT_REQUESTS_PER_HOUR: '2' });
      await request(app).get('/api/v1/repositories/alpha').expect(200);
      await request(app).get('/api/v1/repositories/alpha').expect(200);
      const limited = await request(app).get('/api/v1/repositories/alpha');
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body.error.details, { scope: 'client', window: 'hour', limit: 2 });
      assert.equal(limited.headers['ratelimit-policy'], '2;w=3600');
      assert.ok(Number(limited.headers['retry-after']) > 60);
    });

    it('keys clients by IP (behind a trusted proxy) and limits all clients together', async () => {
      const { app } = buildApp({
        TRUST_PROXY: '1',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '2',
        RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '5',
      });
      const from = (ip: string) => request(app).get('/api/v1/repositories/alpha').set('X-Forwarded-For', ip);
      await from('203.0.113.1').expect(200);
      await from('203.0.113.1').expect(200);
      const perClient = await from('203.0.113.1');
      assert.equal(perClient.status, 429);
      assert.equal(perClient.body.error.details.scope, 'client');
      // Another client still has its own budget...
      await from('203.0.113.2').expect(200);
      await from('203.0.113.3').expect(200);
      // ...until the instance-wide budget (5, counting the rejected request) is spent.
      const global = await from('203.0.113.4');
      assert.equal(global.status, 429);
      assert.deepEqual(global.body.error.details, { scope: 'global', window: 'minute', limit: 5 });
      assert.match(global.body.error.message, /^This service is receiving too many requests; retry after \d+ s$/);
      assert.ok(Number(global.headers['retry-after']) > 0);
    });

    it('limits all clients per hour', async () => {
      const { app } = buildApp({ TRUST_PROXY: '1', RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: '1' });
      await request(app).get('/api/v1/repositories/alpha').set('X-Forwarded-For', '198.51.100.1').expect(200);
      const limited = await request(app).get('/api/v1/repositories/alpha').set('X-Forwarded-For', '198.51.100.2');
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body.error.details, { scope: 'global', window: 'hour', limit: 1 });
    });

    it('with RATE_LIMIT_LOOPBACK_EXEMPT, never limits loopback clients and still limits proxied remote ones', async () => {
      const limits = { RATE_LIMIT_REQUESTS_PER_MINUTE: '2', RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '100' };
      const { app } = buildApp({ ...limits, TRUST_PROXY: '1', RATE_LIMIT_LOOPBACK_EXEMPT: 'true' });
      for (let index = 0; index < 5; index += 1) await request(app).get('/api/v1/repositories/alpha').expect(200);
      // A loopback reverse proxy forwarding a remote client: the client, not the proxy, is what counts.
      const remote = () => request(app).get('/api/v1/repositories/alpha').set('X-Forwarded-For', '203.0.113.9');
      await remote().expect(200);
      await remote().expect(200);
      assert.equal((await remote()).status, 429);

      const { app: shared } = buildApp(limits);
      await request(shared).get('/api/v1/repositories/alpha').expect(200);
      await request(shared).get('/api/v1/repositories/alpha').expect(200);
      assert.equal((await request(shared).get('/api/v1/repositories/alpha')).status, 429, 'off by default');
    });

    it('never limits health probes or metrics scrapes', async () => {
      const { app } = buildApp({ RATE_LIMIT_REQUESTS_PER_MINUTE: '1', RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '1' });
      for (let index = 0; index < 3; index += 1) {
        await request(app).get('/api/v1/health/live').expect(200, { status: 'alive' });
        await request(app).get('/api/v1/metrics').expect(200);
      }
    });
  });

  it('sets security headers (helmet)', async () => {
    const { app } = buildApp();
    const response = await request(app).get('/api/v1/repositories/alpha');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    // Plain HTTP: no HSTS (see 'security headers follow the transport').
    assert.equal(response.headers['strict-transport-security'], undefined);
    assert.match(response.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(response.headers['x-powered-by'], undefined);
  });

  describe('metrics', () => {
    it('counts requests by route template and status, never by raw path', async () => {
      const { app, metrics } = buildApp();
      await request(app).get('/api/v1/repositories/alpha').expect(200);
      await request(app).get('/api/v1/repositories/beta').expect(200);
      await request(app).get('/api/v1/no/such/route').expect(404);
      await request(app).get('/api/v1/boom').expect(500);
      const counted = (await metrics.httpRequests.get()).values.map(({ labels, value }) => ({ ...labels, value }));
      assert.deepEqual(
        counted.sort((a, b) => String(a.route).localeCompare(String(b.route))),
        [
          { method: 'GET', route: '/api/v1/boom', status: '500', value: 1 },
          { method: 'GET', route: '/api/v1/repositories/:name', status: '200', value: 2 },
          { method: 'GET', route: '<unmatched>', status: '404', value: 1 },
        ],
      );
      const durations = (await metrics.httpRequestDuration.get()).values.filter(
        (sample) => sample.metricName === 'myragdb_http_request_duration_seconds_count',
      );
      assert.equal(durations.find((sample) => sample.labels.route === '/api/v1/repositories/:name')?.value, 2);

      const response = await request(app).get('/api/v1/metrics');
      assert.equal(response.status, 200);
      assert.match(response.headers['content-type'] ?? '', /^text\/plain/);
      assert.match(response.text, /^myragdb_http_requests_total\{.*route="\/api\/v1\/repositories\/:name".*\} 2$/m);
      assert.match(response.text, /^myragdb_http_request_duration_seconds_bucket\{le="0.005",/m);
      assert.match(response.text, /^process_cpu_user_seconds_total\{service="test-service"\} /m);
      assert.ok(
        !response.text.includes('alpha') && !response.text.includes('no/such'),
        'raw paths never become labels',
      );
    });
  });
});
