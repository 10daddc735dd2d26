/**
 * Regression tests for the hardening findings of issue #14, against the real gateway, indexer and stores.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Express } from 'express';
import request from 'supertest';
import { type HealthReport, healthReportSchema } from '../../../services/core/src/domain/health-report.js';
import { createApp as createHealthApp } from '../../../services/health/src/app.js';
import { FaultyEmbedder } from '../../../services/core/src/testing/faulty.embedder.js';
import { createMetrics } from '../../../services/core/src/metrics.js';
import { createGatewayRuntime } from '../../../services/search-gateway/src/gateway-runtime.js';
import { createPostgresCatalog } from '../../../services/core/src/adapters/catalog/postgres.catalog.js';
import { createCredentialCipher } from '../../../services/core/src/security/credential-cipher.js';
import { ADMIN_KEY, useGateway } from './gateway-harness.js';

const run = promisify(execFile);
const admin = `Bearer ${ADMIN_KEY}`;
const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('search gateway hardening (issue #14)', function () {
  this.timeout(120_000);
  const harness = useGateway();
  const app = () => harness.gateway.app;
  let server: Server;
  let url: string;

  before(async () => {
    server = harness.gateway.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  describe('secret files (finding 1)', () => {
    const SECRET_MARKER = 'zebracorn';
    const secrets: Record<string, string> = {
      '.env': `DATABASE_PASSWORD=${SECRET_MARKER}-env\n`,
      id_ed25519: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET_MARKER}key\n-----END OPENSSH PRIVATE KEY-----\n`,
      '.npmrc': `//registry.npmjs.org/:_authToken=${SECRET_MARKER}-npm\n`,
      '.aws/credentials': `[default]\naws_secret_access_key = ${SECRET_MARKER}-aws\n`,
      'deploy/gcp-prod.json': JSON.stringify({
        type: 'service_account',
        private_key: `${SECRET_MARKER}-gcp`,
        client_email: 'x@y.iam.gserviceaccount.com',
      }),
    };
    let root: string;

    before(async function () {
      this.timeout(120_000);
      root = await mkdtemp(join(tmpdir(), 'myragdb-secrets-repo-'));
      const files = { ...secrets, 'src/config.ts': `export const zebracornMode = 'loud';\n` };
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), content);
      }
      await request(app())
        .post('/api/v1/repositories')
        .set('Authorization', admin)
        .send({ name: 'secrets', source: { type: 'local', path: root } })
        .expect(201);
      await harness.waitUntilIndexed('secrets');
    });
    after(() => rm(root, { recursive: true, force: true }));

    it('never indexes, finds or serves a credential file, over REST and MCP', async () => {
      const found = await request(app())
        .post('/api/v1/search')
        .set('Authorization', admin)
        .send({ query: SECRET_MARKER, mode: 'keyword', repositories: ['secrets'], limit: 50 })
        .expect(200);
      const paths = (found.body as { results: Array<{ path: string }> }).results.map((result) => result.path);
      assert.deepEqual(paths, ['src/config.ts']);

      for (const path of Object.keys(secrets)) {
        const response = await request(app())
          .get(`/api/v1/files/secrets/${path}`)
          .set('Authorization', admin)
          .expect(404);
        assert.ok(!JSON.stringify(response.body).includes(SECRET_MARKER));
      }

      const client = new Client({ name: 'test', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL('/mcp', url), {
          requestInit: { headers: { Authorization: admin } },
        }),
      );
      try {
        const file = await client.callTool({ name: 'get_file', arguments: { repository: 'secrets', path: '.env' } });
        assert.equal(file.isError, true);
        assert.match(text(file), /^not_found: /);
        const search = await client.callTool({ name: 'search_code', arguments: { query: SECRET_MARKER } });
        assert.doesNotMatch(text(search), /\.env|id_ed25519|npmrc|credentials|gcp-prod/);
      } finally {
        await client.close();
      }
    });

    it('reports each skipped credential with the reason "secret" in `myragdb index status`', async () => {
      const { stdout } = await run(
        process.execPath,
        ['services/cli/bin/myragdb.js', 'index', 'status', 'secrets', '--json'],
        { env: { ...process.env, DATABASE_URL: harness.databaseUrl!, LOG_LEVEL: 'error' } },
      );
      const status = JSON.parse(stdout) as {
        repositories?: Array<{ skippedByReason: Record<string, number> }>;
        skippedByReason?: Record<string, number>;
      };
      const byReason = status.skippedByReason ?? status.repositories?.[0]?.skippedByReason;
      assert.equal(byReason?.secret, Object.keys(secrets).length, stdout);
    });

    it('refuses a secret path even when an older index still lists it', async () => {
      // Indexed before the policy existed: the catalog has chunks for `.env`, the file service must still refuse.
      await harness.sql.query(
        `INSERT INTO chunks (id, repository, path, start_line, end_line, language, content, content_hash)
         SELECT id || '-env', repository, '.env', start_line, end_line, language, content, content_hash
         FROM chunks WHERE repository = 'secrets' AND path = 'src/config.ts'`,
      );
      await request(app()).get('/api/v1/files/secrets/.env').set('Authorization', admin).expect(404);
    });
  });

  describe('malformed percent-encoding (finding 6)', () => {
    it('answers 400 on the files, repositories and jobs routes, with or without a key', async () => {
      for (const path of ['/api/v1/files/fixture/%ff', '/api/v1/repositories/%ff', '/api/v1/jobs/%E0%A4%A']) {
        const anonymous = await request(app()).get(path);
        assert.equal(anonymous.status, 400, `${path}: ${JSON.stringify(anonymous.body)}`);
        await request(app()).get(path).set('Authorization', admin).expect(400);
      }
    });
  });

  describe('failed-authentication limiting (finding 4)', () => {
    it('blocks only the failing attempts: valid keys, other key ids and public routes keep working', async () => {
      const guarded = await harness.gatewayWith({ AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: '3' });
      const reader = await guarded.apiKeys.create({ name: 'never-used-yet', scopes: ['search'] });
      await request(guarded.app).get('/api/v1/repositories').set('Authorization', admin).expect(200);
      const bad = () => request(guarded.app).get('/api/v1/repositories').set('Authorization', 'Bearer guess-0001');
      for (let attempt = 0; attempt < 3; attempt++) await bad().expect(401);
      for (let attempt = 0; attempt < 30; attempt++) await bad().expect(429);

      await request(guarded.app).get('/api/v1/repositories').set('Authorization', admin).expect(200);
      await request(guarded.app).get('/api/v1/repositories').set('Authorization', `Bearer ${reader.key}`).expect(200);
      await request(guarded.app).get('/api/v1/openapi.json').expect(200);
      await request(guarded.app).get('/api/v1/health/live').expect(200);
      await request(guarded.app).get('/api/v1/repositories').expect(401);
    });

    it('shows the client its own request budget in RateLimit headers, not the failed-login limiter', async () => {
      const limited = await harness.gatewayWith({
        AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: '7',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '50',
      });
      const response = await request(limited.app).get('/api/v1/openapi.json').expect(200);
      assert.equal(response.headers['ratelimit-limit'], '50');
    });
  });

  describe('file:// git sources (finding 2)', () => {
    const register = (name: string, url: string) =>
      request(app())
        .post('/api/v1/repositories')
        .set('Authorization', admin)
        .send({ name, source: { type: 'git', url } });

    it('refuses file:// URLs outside MYRAGDB_ALLOWED_ROOTS, also with a localhost or other host', async () => {
      // The test's own checkout is a git repository outside the allowed roots (the temp dir).
      const outside = process.cwd();
      for (const url of [`file://${outside}`, `file://localhost${outside}`, 'file://example.com/srv/repo']) {
        const response = await register('escape', url);
        assert.equal(response.status, 400, `${url}: ${JSON.stringify(response.body)}`);
        assert.equal((response.body as { error: { code: string } }).error.code, 'validation_failed');
      }
      await request(app()).get('/api/v1/repositories/escape').set('Authorization', admin).expect(404);
    });

    it('accepts a file:// repository inside the allowed roots, stored as its resolved path', async () => {
      const inside = await mkdtemp(join(tmpdir(), 'myragdb-file-git-'));
      try {
        await run('git', ['init', '--quiet', inside]);
        await writeFile(join(inside, 'main.py'), 'def main():\n    return 1\n');
        await run('git', ['-C', inside, 'add', '.']);
        await run('git', ['-C', inside, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'i']);
        await register('inside-git', `file://localhost${inside}`).expect(201);
        const stored = await harness.sql.query<{ source: { url: string } }>(
          "SELECT source FROM repositories WHERE name = 'inside-git'",
        );
        assert.equal(stored.rows[0]!.source.url, `file://${inside}`);
        await harness.waitUntilIndexed('inside-git');
      } finally {
        await request(app()).delete('/api/v1/repositories/inside-git').set('Authorization', admin);
        await rm(inside, { recursive: true, force: true });
      }
    });
  });

  describe('stored credentials without AUTH_ENCRYPTION_KEY (finding 10)', () => {
    it('lists every repository and fails only that repository, with a clear error', async () => {
      // Registered by a deployment that had a key; this gateway (and its indexer) run without one.
      const sealing = createPostgresCatalog(harness.sql, {
        cipher: createCredentialCipher('an-encryption-key-of-at-least-32-characters'),
      });
      await sealing.createRepository({
        name: 'private-git',
        source: { type: 'git', url: 'https://git.example.com/private.git', credentials: { token: 'secret-token' } },
      });
      const restarted = await harness.gatewayWith({});
      const listed = await request(restarted.app).get('/api/v1/repositories').set('Authorization', admin).expect(200);
      const names = (listed.body as { repositories: Array<{ name: string }> }).repositories.map((entry) => entry.name);
      assert.ok(names.includes('private-git') && names.includes('fixture'), names.join(', '));

      await request(restarted.app)
        .post('/api/v1/reindex')
        .set('Authorization', admin)
        .send({ repositories: ['private-git'] })
        .expect(202);
      const deadline = Date.now() + 30_000;
      let status: { status: string; error?: string } = { status: 'pending' };
      while (status.status !== 'error' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await request(restarted.app).get('/api/v1/repositories/private-git').set('Authorization', admin))
          .body as typeof status;
      }
      assert.equal(status.status, 'error', JSON.stringify(status));
      assert.match(status.error ?? '', /AUTH_ENCRYPTION_KEY/);
      assert.ok(!JSON.stringify(status).includes('secret-token'));
      await request(restarted.app).delete('/api/v1/repositories/private-git').set('Authorization', admin).expect(200);
    });
  });

  describe('API keys over HTTP (finding 3)', () => {
    it('creates, lists and revokes keys with an admin key; a revoked key fails on its next request', async () => {
      const created = await request(app())
        .post('/api/v1/keys')
        .set('Authorization', admin)
        .send({ name: 'http-made', scopes: ['search'] })
        .expect(201);
      const key = created.body as { id: string; key: string; state: string };
      assert.equal(key.state, 'active');
      const asKey = () =>
        request(app()).post('/api/v1/search').set('Authorization', `Bearer ${key.key}`).send({ query: 'parseQuery' });
      await asKey().expect(200);
      await request(app()).get('/api/v1/keys').set('Authorization', `Bearer ${key.key}`).expect(403);

      // Another gateway on the same database (another replica, or `myragdb up` beside the CLI) revokes it.
      const replica = await harness.gatewayWith({});
      const listed = await request(replica.app).get('/api/v1/keys').set('Authorization', admin).expect(200);
      const entry = (listed.body as { keys: Array<{ id: string; name: string }> }).keys.find((k) => k.id === key.id);
      assert.equal(entry?.name, 'http-made');
      assert.ok(!JSON.stringify(listed.body).includes(key.key));
      await request(replica.app).delete(`/api/v1/keys/${key.id}`).set('Authorization', admin).expect(200);

      await asKey().expect(401);
      await request(replica.app).delete(`/api/v1/keys/${key.id}`).set('Authorization', admin).expect(404);
    });
  });

  describe('MCP batches and embedder slowness (finding 5)', () => {
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'search_code', arguments: { query: 'parseQuery', mode: 'keyword', limit: 1 } },
    });
    const post = (target: Express, body: unknown) =>
      request(target)
        .post('/mcp')
        .set('Authorization', admin)
        .set('Accept', 'application/json, text/event-stream')
        .send(body as object);

    it('refuses batches over MCP_MAX_BATCH_SIZE and counts each message against the key rate limit', async () => {
      const limited = await harness.gatewayWith({
        MCP_MAX_BATCH_SIZE: '4',
        RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '6',
      });
      const tooBig = await post(limited.app, [1, 2, 3, 4, 5].map(call)).expect(400);
      assert.match(JSON.stringify(tooBig.body), /batch must hold 1 to 4 messages/);
      await post(limited.app, []).expect(400);

      const first = await post(limited.app, [1, 2, 3, 4].map(call)).expect(200);
      assert.equal((first.body as unknown[]).length, 4);
      // 4 of the 6 requests a minute are spent: a second batch of 4 is over the limit.
      const second = await post(limited.app, [5, 6, 7, 8].map(call));
      assert.equal(second.status, 429, JSON.stringify(second.body));
    });

    it("times a slow embedder on its own: the semantic leg degrades, the vector store's breaker stays closed", async () => {
      const embedder = new FaultyEmbedder(harness.embedder).failCalls({ kind: 'hang' }, { times: 6 });
      const gateway = await createGatewayRuntime({
        config: harness.config({ SEARCH_EMBED_TIMEOUT_MS: '1000' }),
        sql: harness.sql,
        embedder,
        logger: harness.logger,
        metrics: createMetrics('search-gateway'),
        collectionPrefix: harness.collectionPrefix,
      });
      const search = (query: string) =>
        request(gateway.app).post('/api/v1/search').set('Authorization', admin).send({ query, mode: 'hybrid' });
      for (let attempt = 0; attempt < 6; attempt++) {
        const slow = await search(`parse query ${attempt}`).expect(200);
        assert.deepEqual((slow.body as { degraded?: string[] }).degraded, ['semantic']);
      }
      // More consecutive slow embeds than the breaker's threshold (5), yet the next query is answered in full.
      const recovered = await search('parse query again').expect(200);
      assert.equal((recovered.body as { degraded?: string[] }).degraded, undefined);
      await gateway.close();
    });
  });

  describe('low findings', () => {
    const registerSource = (source: Record<string, string>) =>
      request(app()).post('/api/v1/repositories').set('Authorization', admin).send({ name: 'low', source });
    const fieldsOf = (response: request.Response) =>
      (response.body as { error: { details: { fields: { field: string; message: string }[] } } }).error.details.fields;

    it('a path outside the allowed roots gets one answer, whether or not it exists', async () => {
      const answers = [];
      for (const path of [process.cwd(), '/no/such/directory/anywhere']) {
        const response = await registerSource({ type: 'local', path }).expect(400);
        answers.push(fieldsOf(response));
      }
      assert.deepEqual(answers[0], answers[1]);
      assert.match(answers[0]![0]!.message, /outside the allowed roots/);
    });

    it('refuses git refs and URLs that could never sync, or would store credentials in plain text', async () => {
      for (const [source, field] of [
        [{ type: 'git', url: 'https://example.com/r.git', ref: '--upload-pack=touch /tmp/x' }, 'body.source.ref'],
        [{ type: 'git', url: 'https://example.com/r.git', ref: 'a..b' }, 'body.source.ref'],
        [{ type: 'git', url: 'https://user:t0ken@example.com/r.git' }, 'body.source.url'],
        [{ type: 'git', url: 'https://t0ken@example.com/r.git' }, 'body.source.url'],
      ] as const) {
        const response = await registerSource(source).expect(400);
        assert.deepEqual(
          fieldsOf(response).map((problem) => problem.field),
          [field],
          JSON.stringify(source),
        );
      }
      await request(app()).get('/api/v1/repositories/low').set('Authorization', admin).expect(404);
    });

    it('accepts the Bearer scheme in any case', async () => {
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        await request(app()).get('/api/v1/repositories').set('Authorization', `${scheme} ${ADMIN_KEY}`).expect(200);
      }
    });

    it('records when a key was last used', async () => {
      const key = await harness.gateway.apiKeys.create({ name: 'used-once', scopes: ['search'] });
      const before = Date.now();
      await request(app()).get('/api/v1/repositories').set('Authorization', `Bearer ${key.key}`).expect(200);
      const lastUsed = await waitForValue(async () => {
        const { rows } = await harness.sql.query<{ last_used_at: Date | null }>(
          'SELECT last_used_at FROM api_keys WHERE id = $1',
          [key.id],
        );
        return rows[0]?.last_used_at ?? undefined;
      });
      assert.ok(new Date(lastUsed).getTime() >= before - 1_000);
    });
  });

  describe('GET /api/v1/health on the API port', () => {
    it("answers the guide's report from its own checks when the health service is not configured", async () => {
      const response = await request(app()).get('/api/v1/health').expect(200);
      const report = healthReportSchema.parse(response.body);
      assert.ok(['healthy', 'degraded'].includes(report.status));
      const postgres = report.components.find((component) => component.kind === 'postgres');
      assert.equal(postgres?.status, 'healthy');
      assert.ok(report.components.some((component) => component.kind === 'vector-store'));
    });

    it('relays the health service report while it answers, and falls back when it does not', async () => {
      const relayed: HealthReport = {
        status: 'degraded',
        timestamp: new Date().toISOString(),
        system_metrics: { cpu_percent: 1, memory_percent: 2, disk_percent: 3 },
        components: [],
        alerts: [{ name: 'IndexingBacklog', severity: 'warning', message: 'm', since: new Date().toISOString() }],
      };
      const healthApp = createHealthApp({
        config: harness.config(),
        logger: harness.logger,
        metrics: createMetrics('health'),
        latestReport: () => relayed,
      });
      const healthServer = healthApp.listen(0, '127.0.0.1');
      await new Promise((resolve) => healthServer.once('listening', resolve));
      const healthUrl = `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}`;
      try {
        const withService = await harness.gatewayWith({ HEALTH_SERVICE_URL: healthUrl });
        const response = await request(withService.app).get('/api/v1/health').expect(200);
        assert.deepEqual(response.body, relayed);
      } finally {
        await new Promise((resolve) => healthServer.close(resolve));
      }
      const orphaned = await harness.gatewayWith({ HEALTH_SERVICE_URL: healthUrl });
      const fallback = await request(orphaned.app).get('/api/v1/health').expect(200);
      assert.ok((fallback.body as HealthReport).components.some((component) => component.kind === 'search-gateway'));
    });
  });
});

async function waitForValue<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
