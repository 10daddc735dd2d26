import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { createServiceApp, livenessHandler } from '../../src/http/service-app.js';
import { createMetrics } from '../../src/metrics.js';
import { captureLogger } from '../support/capture-logger.js';

function buildApp(env: Record<string, string> = {}) {
  const captured = captureLogger();
  const app = createServiceApp({
    config: loadConfig({ ENVIRONMENT: 'test', ...env }),
    logger: captured.logger,
    metrics: createMetrics('test-service'),
    routes: (app) => {
      const repositories = express.Router();
      repositories.get('/:name', (req, res) => {
        res.json({ name: req.params.name });
      });
      app.use('/api/v1/repositories', repositories);
      app.get('/api/v1/files/:repository/*path', (req, res) => {
        res.json({ path: req.params.path });
      });
      app.post('/api/v1/echo', (req, res) => {
        res.json({ body: req.body as unknown });
      });
      app.get('/api/v1/health/live', livenessHandler());
    },
  });
  return { app, ...captured };
}

describe('malformed input is a client error, never a 500', () => {
  it('answers 400 to malformed percent-encoding in a path parameter, and logs no error', async () => {
    const { app, records } = buildApp();
    for (const path of ['/api/v1/repositories/%ff', '/api/v1/files/fixture/src/%E0%A4%A', '/api/v1/files/%zz/a']) {
      const response = await request(app).get(path);
      assert.equal(response.status, 400, `${path}: ${JSON.stringify(response.body)}`);
      assert.equal((response.body as { error: { code: string } }).error.code, 'validation_failed');
    }
    assert.deepEqual(
      records().filter((record) => record.level === 'error'),
      [],
    );
    await request(app).get('/api/v1/repositories/caf%C3%A9').expect(200, { name: 'café' });
  });

  it('answers 400 to a body whose Content-Encoding does not match it, on every route', async () => {
    const { app, records } = buildApp();
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await request(app)
        .post('/api/v1/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"not":"compressed"}');
      assert.equal(response.status, 400, `${encoding}: ${JSON.stringify(response.body)}`);
      assert.equal((response.body as { error: { code: string } }).error.code, 'validation_failed');
    }
    assert.deepEqual(
      records().filter((record) => record.level === 'error'),
      [],
    );
  });

  it('keeps health probes and metrics answering whatever body or encoding a request carries', async () => {
    const { app } = buildApp();
    for (const path of ['/api/v1/health/live', '/api/v1/metrics']) {
      await request(app)
        .get(path)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{"not":"compressed"}')
        .expect(200);
      await request(app).get(path).set('Content-Type', 'text/plain').send('junk').expect(200);
    }
  });
});

describe('security headers follow the transport', () => {
  it('sends HSTS and upgrade-insecure-requests over HTTPS only', async () => {
    const { app } = buildApp();
    const plain = await request(app).get('/api/v1/health/live').expect(200);
    assert.equal(plain.headers['strict-transport-security'], undefined);
    assert.doesNotMatch(String(plain.headers['content-security-policy']), /upgrade-insecure-requests/);
    assert.match(String(plain.headers['content-security-policy']), /default-src 'self'/);

    const { app: proxied } = buildApp({ TRUST_PROXY: '1' });
    const secure = await request(proxied).get('/api/v1/health/live').set('X-Forwarded-Proto', 'https').expect(200);
    assert.match(String(secure.headers['strict-transport-security']), /max-age=\d+/);
    assert.match(String(secure.headers['content-security-policy']), /upgrade-insecure-requests/);
  });
});
