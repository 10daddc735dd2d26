import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DependencyError } from '../../../services/core/src/errors.js';
import type { MyRAGDB } from '../../src/api/v1alpha1/myragdb.types.js';
import { deletionPlan } from '../../src/controller/finalizer.js';
import { generatedSecretNames, resolveGeneratedSecrets } from '../../src/controller/generated-secrets.js';
import { referencedSecrets } from '../../src/controller/observe.js';
import { GatewayRepositoryCatalog } from '../../src/controller/repository-catalog.port.js';
import { contextFor } from '../specs/fixtures.js';

const resource = (spec: unknown): MyRAGDB => ({
  apiVersion: 'myragdb.io/v1alpha1',
  kind: 'MyRAGDB',
  metadata: { name: 'docs', namespace: 'ns', uid: 'u' },
  spec,
});
const repositories = [
  { name: 'a', git: { url: 'https://x/a.git' } },
  { name: 'b', git: { url: 'https://x/b.git' } },
];
const externalPostgres = { postgres: { external: { url: 'postgres://u@db:5432/x', secretRef: { name: 'pg' } } } };

describe('operator deletion and credentials', () => {
  it('deletion plan: data cleanup only under Delete and only when a store is external; a broken spec retains', () => {
    assert.deepEqual(deletionPlan(resource({ repositories })), { policy: 'Retain', externalRepositories: [] });
    assert.deepEqual(deletionPlan(resource({ repositories, deletionPolicy: 'Delete' })), {
      policy: 'Delete',
      externalRepositories: [],
    });
    assert.deepEqual(deletionPlan(resource({ repositories, deletionPolicy: 'Delete', stores: externalPostgres })), {
      policy: 'Delete',
      externalRepositories: ['a', 'b'],
    });
    assert.deepEqual(deletionPlan(resource({ deletionPolicy: 'Delete', reindex: { schedule: 'nonsense' } })), {
      policy: 'Retain',
      externalRepositories: [],
    });
  });

  it('generated credentials: existing values are kept, missing ones generated', () => {
    let counter = 0;
    const generate = () => `generated-${(counter += 1)}`;
    const existing = new Map([['docs-app-credentials', { 'api-key': 'kept-api-key' }]]);
    const values = resolveGeneratedSecrets({ name: 'docs' }, existing, generate);
    assert.equal(values.apiKey, 'kept-api-key');
    assert.deepEqual(
      [
        values.secretKey,
        values.authEncryptionKey,
        values.postgresPassword,
        values.meilisearchMasterKey,
        values.redisPassword,
      ].sort(),
      ['generated-1', 'generated-2', 'generated-3', 'generated-4', 'generated-5'],
    );
    const random = resolveGeneratedSecrets({ name: 'docs' }, new Map());
    assert.ok(random.meilisearchMasterKey.length >= 32, 'Meilisearch needs a master key of 16 bytes or more');
    assert.notEqual(random.postgresPassword, random.apiKey);
    assert.deepEqual(generatedSecretNames({ name: 'docs' }), [
      'docs-app-credentials',
      'docs-postgres-credentials',
      'docs-meilisearch-credentials',
      'docs-redis-credentials',
    ]);
  });

  it('every Secret the spec refers to is checked, with the key it must hold', () => {
    const { spec } = contextFor({
      stores: externalPostgres,
      embedding: { provider: 'openai-compatible', endpoint: 'https://e/v1', secretRef: { name: 'emb', key: 'token' } },
      repositories: [{ name: 'a', git: { url: 'https://x/a.git' }, credentialsSecretRef: { name: 'git' } }],
    });
    assert.deepEqual(referencedSecrets(spec), [
      { name: 'pg', key: 'password', usedBy: 'stores.postgres.external' },
      { name: 'emb', key: 'token', usedBy: 'embedding' },
      { name: 'git', key: 'password', usedBy: 'repository a' },
    ]);
  });

  describe('gateway repository catalog (against a real HTTP server)', () => {
    let server: http.Server;
    let url: string;
    let answer: number;
    let listBody = '{"repositories":[]}';
    const seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];

    before(async () => {
      server = http.createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization, body });
          if (request.method === 'GET' && answer < 300) return void response.writeHead(200).end(listBody);
          response.writeHead(answer).end(answer >= 400 ? 'nope' : '');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise((resolve) => server.close(resolve)));

    it('lists, registers and deletes with the admin key; 409 on register and 404 on delete are success', async () => {
      const catalog = new GatewayRepositoryCatalog(2000);
      const target = { gatewayUrl: `${url}/`, apiKey: 'key-1' };
      answer = 200;
      listBody = '{"repositories":[{"name":"a","status":"ready"},{"name":"b","status":"pending"}]}';
      assert.deepEqual(await catalog.listRepositories(target), ['a', 'b']);
      answer = 201;
      const repository = {
        name: 'c',
        source: { type: 'git' as const, url: 'https://x/c.git' },
        include: [],
        exclude: [],
      };
      await catalog.registerRepository(target, repository);
      answer = 409;
      await catalog.registerRepository(target, repository);
      answer = 200;
      await catalog.deleteRepository(target, 'my repo');
      answer = 404;
      await catalog.deleteRepository(target, 'gone');
      assert.deepEqual(
        seen.slice(-5).map((request) => [request.method, request.url, request.authorization]),
        [
          ['GET', '/api/v1/repositories', 'Bearer key-1'],
          ['POST', '/api/v1/repositories', 'Bearer key-1'],
          ['POST', '/api/v1/repositories', 'Bearer key-1'],
          ['DELETE', '/api/v1/repositories/my%20repo', 'Bearer key-1'],
          ['DELETE', '/api/v1/repositories/gone', 'Bearer key-1'],
        ],
      );
      assert.deepEqual(JSON.parse(seen.at(-4)!.body), repository);
    });

    it('any other answer, or no answer, is a retryable DependencyError', async () => {
      const catalog = new GatewayRepositoryCatalog(2000);
      answer = 500;
      for (const call of [
        () => catalog.deleteRepository({ gatewayUrl: url, apiKey: 'k' }, 'a'),
        () => catalog.listRepositories({ gatewayUrl: url, apiKey: 'k' }),
        () =>
          catalog.registerRepository(
            { gatewayUrl: url, apiKey: 'k' },
            { name: 'a', source: { type: 'local', path: '/r/a' } },
          ),
      ]) {
        await assert.rejects(call(), (error: unknown) => {
          assert.ok(error instanceof DependencyError);
          assert.equal(error.retryable, true);
          assert.match(error.message, /the gateway answered 500: nope/);
          return true;
        });
      }
      await assert.rejects(
        catalog.deleteRepository({ gatewayUrl: 'http://127.0.0.1:1', apiKey: 'k' }, 'a'),
        /could not reach http:\/\/127\.0\.0\.1:1/,
      );
    });
  });
});
