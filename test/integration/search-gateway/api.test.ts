import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import request from 'supertest';
import { QUERY_TS } from '../../support/fixture-repository.js';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';

interface ErrorResponse {
  error: {
    code: string;
    message: string;
    request_id: string;
    details?: { fields?: Array<{ field: string; message: string }> };
  };
}

/** Every express route of the app as `METHOD /path` (express 5 router layers). */
function expressRoutes(app: Express): string[] {
  const routes: string[] = [];
  const visit = (stack: unknown[]) => {
    for (const layer of stack as Array<{
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[] };
    }>) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') routes.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack) visit(layer.handle.stack);
    }
  };
  visit((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return routes;
}

describe('search gateway: API contract, authentication and bad input', function () {
  this.timeout(60_000);
  const harness = useGateway();
  const app = () => harness.gateway.app;
  const admin = `Bearer ${ADMIN_KEY}`;

  const expectError = (response: request.Response, status: number, code: string) => {
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.match(String(response.headers['content-type']), /application\/json/);
    const body = response.body as ErrorResponse;
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(body.error.request_id, response.headers['x-request-id']);
    assert.ok(!JSON.stringify(body).includes('at /'), 'no stack traces');
    return body;
  };

  describe('OpenAPI', () => {
    it('serves a valid OpenAPI 3.1 document that describes every REST route', async () => {
      const response = await request(app()).get('/api/v1/openapi.json').expect(200);
      const document = response.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.equal(document.openapi, '3.1.0');
      const validation = await new Validator().validate(document);
      assert.equal(validation.valid, true, JSON.stringify(validation.errors));

      const documented = new Set(
        Object.entries(document.paths).flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
        ),
      );
      const served = expressRoutes(app())
        .filter((route) => route.includes('/api/v1/') && !/\/api\/v1\/(metrics|health)/.test(route))
        .map((route) => route.replace('*path', '{path}').replace(/:(\w+)/g, '{$1}'));
      assert.ok(served.length >= 8, served.join(', '));
      for (const route of served) assert.ok(documented.has(route), `${route} is not in the OpenAPI document`);
      assert.equal(documented.size, served.length, 'nothing documented that is not served');
      const search = document.paths['/api/v1/search']!.post as { requestBody: unknown; security: unknown };
      assert.ok(JSON.stringify(search.requestBody).includes('SearchRequest'));
      assert.deepEqual(search.security, [{ apiKey: ['search'] }]);
    });
  });

  describe('API keys', () => {
    it('rejects a missing, malformed or unknown key with 401 and a Bearer challenge', async () => {
      for (const authorization of [
        undefined,
        'Basic abc',
        'Bearer',
        `Bearer ${ADMIN_KEY}x`,
        'Bearer mrdb_0123456789abcdef_' + 'A'.repeat(43),
      ]) {
        const call = request(app()).post('/api/v1/search').send({ query: 'x' });
        if (authorization) void call.set('Authorization', authorization);
        const response = await call;
        expectError(response, 401, 'unauthorized');
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="myragdb"');
        assert.ok(!JSON.stringify(response.body).includes(ADMIN_KEY));
      }
    });

    it('enforces scopes: a search key can search but not administer (403)', async () => {
      const created = await harness.gateway.apiKeys.create({ name: 'reader', scopes: ['search'] });
      const reader = `Bearer ${created.key}`;
      await request(app())
        .post('/api/v1/search')
        .set('Authorization', reader)
        .send({ query: 'parseQuery' })
        .expect(200);
      await request(app()).get('/api/v1/repositories').set('Authorization', reader).expect(200);
      expectError(await request(app()).post('/api/v1/reindex').set('Authorization', reader).send({}), 403, 'forbidden');
      expectError(
        await request(app()).delete(`/api/v1/repositories/${FIXTURE}`).set('Authorization', reader),
        403,
        'forbidden',
      );
    });

    it('stops accepting a key as soon as it is revoked or expired', async () => {
      const created = await harness.gateway.apiKeys.create({ name: 'short-lived', scopes: ['search'] });
      const call = () => request(app()).get('/api/v1/repositories').set('Authorization', `Bearer ${created.key}`);
      await call().expect(200);
      await harness.gateway.apiKeys.revoke(created.id, new Date());
      expectError(await call(), 401, 'unauthorized');

      const expired = await harness.gateway.apiKeys.create({
        name: 'expired',
        scopes: ['search'],
        expiresAt: new Date(Date.now() - 1000),
      });
      expectError(
        await request(app()).get('/api/v1/repositories').set('Authorization', `Bearer ${expired.key}`),
        401,
        'unauthorized',
      );
    });

    it('stores only a salted hash of each key', async () => {
      const created = await harness.gateway.apiKeys.create({ name: 'stored', scopes: ['admin'] });
      const { rows } = await harness.sql.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM api_keys WHERE id = $1',
        [created.id],
      );
      assert.match(rows[0]!.secret_hash, /^scrypt\$/);
      const dump = JSON.stringify((await harness.sql.query('SELECT * FROM api_keys')).rows);
      assert.ok(!dump.includes(created.key) && !dump.includes(ADMIN_KEY));
    });
  });

  describe('bad input', () => {
    const post = (path: string) => request(app()).post(path).set('Authorization', admin);

    it('malformed JSON → 400', async () => {
      expectError(
        await post('/api/v1/search').set('Content-Type', 'application/json').send('{"query": '),
        400,
        'validation_failed',
      );
    });

    it('wrong types, unknown fields and out-of-range values → 400 naming each field', async () => {
      const body = expectError(
        await post('/api/v1/search').send({ query: 42, mode: 'fuzzy', limit: 1000, extra: true }),
        400,
        'validation_failed',
      );
      const fields = body.error.details!.fields!.map((field) => field.field);
      for (const field of ['body.query', 'body.mode', 'body.limit', 'body'])
        assert.ok(fields.includes(field), fields.join(', '));
      expectError(await post('/api/v1/search').send({ query: '   ' }), 400, 'validation_failed');
      expectError(await post('/api/v1/search').send({ query: 'x'.repeat(1001) }), 400, 'validation_failed');
    });

    it('a body over the size limit → 413; a non-JSON content type → 415', async () => {
      expectError(
        await post('/api/v1/search').send({ query: 'x', padding: 'y'.repeat(100_000) }),
        413,
        'payload_too_large',
      );
      expectError(
        await post('/api/v1/search').set('Content-Type', 'text/plain').send('query=x'),
        415,
        'unsupported_media_type',
      );
    });

    it('unknown routes and repositories → 404; a malformed job id → 400', async () => {
      expectError(await request(app()).get('/api/v1/nope').set('Authorization', admin), 404, 'not_found');
      expectError(
        await request(app()).get('/api/v1/repositories/missing').set('Authorization', admin),
        404,
        'not_found',
      );
      expectError(
        await request(app()).delete('/api/v1/repositories/missing').set('Authorization', admin),
        404,
        'not_found',
      );
      expectError(await post('/api/v1/reindex').send({ repositories: ['missing'] }), 404, 'not_found');
      expectError(
        await request(app()).get('/api/v1/jobs/not-a-uuid').set('Authorization', admin),
        400,
        'validation_failed',
      );
      expectError(
        await request(app()).get('/api/v1/jobs/00000000-0000-4000-8000-000000000000').set('Authorization', admin),
        404,
        'not_found',
      );
    });

    it('a NUL byte (found by the fuzzer): 400 in a key id; in a query it separates words', async () => {
      expectError(
        await request(app()).delete('/api/v1/keys/%00').set('Authorization', admin),
        400,
        'validation_failed',
      );
      const search = await post('/api/v1/search').send({ query: 'parse\u0000Query', mode: 'keyword' }).expect(200);
      assert.equal((search.body as { results: { path: string }[] }).results[0]?.path, 'src/query.ts');
    });

    it('a deep page with path globs (found by the fuzzer) is answered, not 503', async () => {
      for (const mode of ['semantic', 'hybrid']) {
        const response = await post('/api/v1/search')
          .send({ query: 'parse a query string', mode, offset: 251, pathGlobs: ['src/**'] })
          .expect(200);
        assert.equal((response.body as { degraded?: string[] }).degraded, undefined, mode);
      }
    });
  });

  describe('files', () => {
    const get = (path: string) => request(app()).get(path).set('Authorization', admin);

    it('returns a line range of an indexed file', async () => {
      const response = await get(`/api/v1/files/${FIXTURE}/src/query.ts?start=2&end=3`).expect(200);
      assert.deepEqual(response.body, {
        repository: FIXTURE,
        path: 'src/query.ts',
        startLine: 2,
        endLine: 3,
        totalLines: QUERY_TS.split('\n').length - 1,
        content: QUERY_TS.split('\n').slice(1, 3).join('\n'),
      });
    });

    it('refuses traversal, symlink escapes, unindexed files and bad ranges', async () => {
      for (const path of [
        '..%2F..%2Fetc%2Fpasswd',
        'src/..%2F..%2F..%2Fetc%2Fpasswd',
        '%2Fetc%2Fpasswd',
        'src/.%2Fquery.ts',
      ]) {
        expectError(await get(`/api/v1/files/${FIXTURE}/${path}`), 400, 'validation_failed');
      }
      expectError(await get(`/api/v1/files/${FIXTURE}/escape/passwd`), 404, 'not_found');
      expectError(await get(`/api/v1/files/${FIXTURE}/ignored.txt`), 404, 'not_found');
      expectError(await get(`/api/v1/files/${FIXTURE}/node_modules/left-pad/index.js`), 404, 'not_found');
      expectError(await get(`/api/v1/files/unknown-repo/src/query.ts`), 404, 'not_found');
      expectError(await get(`/api/v1/files/${FIXTURE}/src/query.ts?start=0`), 400, 'validation_failed');
      expectError(await get(`/api/v1/files/${FIXTURE}/src/query.ts?start=5&end=2`), 400, 'validation_failed');
      expectError(await get(`/api/v1/files/${FIXTURE}/src/query.ts?start=9999`), 400, 'validation_failed');
    });
  });

  describe('repositories and jobs', () => {
    it('registers a repository (201, job queued), lists it, refuses duplicates (409), deletes it from every store', async () => {
      const source = await mkdtemp(join(tmpdir(), 'myragdb-second-'));
      try {
        const created = await request(app())
          .post('/api/v1/repositories')
          .set('Authorization', admin)
          .send({ name: 'second', source: { type: 'local', path: source } })
          .expect(201);
        assert.equal(created.body.name, 'second');
        assert.ok(['pending', 'indexing', 'ready'].includes(created.body.status));
        const job = await request(app())
          .get(`/api/v1/jobs/${created.body.job.id}`)
          .set('Authorization', admin)
          .expect(200);
        assert.equal(job.body.repository, 'second');

        expectError(
          await request(app())
            .post('/api/v1/repositories')
            .set('Authorization', admin)
            .send({ name: 'second', source: { type: 'local', path: source } }),
          409,
          'conflict',
        );
        const list = await request(app()).get('/api/v1/repositories').set('Authorization', admin).expect(200);
        assert.deepEqual(
          (list.body.repositories as Array<{ name: string }>).map((repository) => repository.name).sort(),
          [FIXTURE, 'second'],
        );
        await request(app()).delete('/api/v1/repositories/second').set('Authorization', admin).expect(200);
        expectError(
          await request(app()).get('/api/v1/repositories/second').set('Authorization', admin),
          404,
          'not_found',
        );
        const { rows } = await harness.sql.query("SELECT id FROM keyword_chunks WHERE repository = 'second'");
        assert.equal(rows.length, 0);
      } finally {
        await rm(source, { recursive: true, force: true });
      }
    });

    it('keeps local sources inside MYRAGDB_ALLOWED_ROOTS and git sources to safe schemes', async () => {
      const register = (body: object) =>
        request(app()).post('/api/v1/repositories').set('Authorization', admin).send(body);
      expectError(await register({ name: 'etc', source: { type: 'local', path: '/etc' } }), 400, 'validation_failed');
      expectError(
        await register({ name: 'rel', source: { type: 'local', path: 'relative/path' } }),
        400,
        'validation_failed',
      );
      expectError(
        await register({ name: 'gone', source: { type: 'local', path: '/definitely/not/here' } }),
        400,
        'validation_failed',
      );
      for (const url of ['ext::sh -c touch% /tmp/pwned', 'http://example.com/repo.git', 'ftp://example.com/r.git']) {
        expectError(await register({ name: 'git-bad', source: { type: 'git', url } }), 400, 'validation_failed');
      }
      expectError(
        await register({ name: 'Bad Name!', source: { type: 'local', path: '/tmp' } }),
        400,
        'validation_failed',
      );
    });

    it('queues reindex jobs (202) and reports them', async () => {
      const response = await request(app())
        .post('/api/v1/reindex')
        .set('Authorization', admin)
        .send({ full: false })
        .expect(202);
      const jobs = response.body.jobs as Array<{ id: string; repository: string; kind: string }>;
      assert.ok(jobs.some((job) => job.repository === FIXTURE && job.kind === 'sync'));
      const job = await request(app()).get(`/api/v1/jobs/${jobs[0]!.id}`).set('Authorization', admin).expect(200);
      assert.ok(['queued', 'running', 'succeeded'].includes(job.body.state));
      await harness.waitUntilIndexed(FIXTURE);
    });
  });

  describe('rate limits', () => {
    it('limits requests per API key with 429 and RateLimit/Retry-After headers', async () => {
      const limited = await harness.gatewayWith({ RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '3' });
      const call = () => request(limited.app).get('/api/v1/repositories').set('Authorization', admin);
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await call().expect(200);
        assert.ok(response.headers['ratelimit-limit'] !== undefined);
      }
      const response = await call();
      expectError(response, 429, 'rate_limited');
      assert.ok(Number(response.headers['retry-after']) > 0);
      assert.equal(response.headers['ratelimit-remaining'], '0');
    });

    it('limits failed authentication attempts per client IP, not valid traffic', async () => {
      const guarded = await harness.gatewayWith({ AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: '2' });
      const bad = () =>
        request(guarded.app).post('/api/v1/search').set('Authorization', 'Bearer wrong-key').send({ query: 'x' });
      for (let index = 0; index < 5; index++) {
        await request(guarded.app).get('/api/v1/repositories').set('Authorization', admin).expect(200);
      }
      expectError(await bad(), 401, 'unauthorized');
      expectError(await bad(), 401, 'unauthorized');
      const blocked = await bad();
      expectError(blocked, 429, 'rate_limited');
      assert.ok(Number(blocked.headers['retry-after']) > 0);
    });

    it('limits requests per client IP (core middleware) with 429', async () => {
      const limited = await harness.gatewayWith({ RATE_LIMIT_REQUESTS_PER_MINUTE: '2' });
      const call = () => request(limited.app).get('/api/v1/repositories').set('Authorization', admin);
      await call().expect(200);
      await call().expect(200);
      expectError(await call(), 429, 'rate_limited');
    });
  });
});
