import assert from 'node:assert/strict';
import type { V1Container, V1Deployment, V1Job, V1StatefulSet } from '@kubernetes/client-node';
import { buildDesiredState } from '../../src/specs/desired-state.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { resourceForObject } from '../../src/kube/resources.js';
import { buildConfigData, buildConfigHash, storeNamePrefix } from '../../src/specs/config.specs.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { buildRepositoryRegistrations } from '../../src/specs/repositories.specs.js';
import { REINDEX_COMMAND } from '../../src/specs/components.js';
import { reindexJobName } from '../../src/specs/reindex.specs.js';
import { gatewayEndpoint } from '../../src/specs/services.specs.js';
import { contextFor, owner, secrets } from './fixtures.js';

const kinds = (objects: KubeObject[]) => objects.map((object) => `${object.kind}/${object.metadata.name}`);
const find = <T>(objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  assert.ok(found, `${kind}/${name} missing from ${kinds(objects).join(', ')}`);
  return found as unknown as T & KubeObject;
};
const container = (deployment: { spec?: { template: { spec?: { containers: unknown[] } } } }) =>
  deployment.spec!.template.spec!.containers[0] as V1Container;

describe('operator specs: desired state', () => {
  it('a default spec yields stores, services, config and secrets, in dependency order', () => {
    const objects = buildDesiredState(contextFor({}));
    assert.deepEqual(kinds(objects), [
      'Secret/docs-app-credentials',
      'Secret/docs-postgres-credentials',
      'Secret/docs-meilisearch-credentials',
      'ConfigMap/docs-config',
      'Service/docs-postgres',
      'StatefulSet/docs-postgres',
      'Service/docs-meilisearch',
      'StatefulSet/docs-meilisearch',
      'Service/docs-chroma',
      'StatefulSet/docs-chroma',
      'NetworkPolicy/docs-postgres-ingress',
      'NetworkPolicy/docs-meilisearch-ingress',
      'NetworkPolicy/docs-chroma-ingress',
      'Deployment/docs-search-gateway',
      'Service/docs-search-gateway',
      'Deployment/docs-indexer',
      'Service/docs-indexer',
      'Deployment/docs-health',
      'Service/docs-health',
      'PodDisruptionBudget/docs-search-gateway',
    ]);
  });

  it('every child is namespaced, labelled, owned by the MyRAGDB as controller, and of an RBAC-listed kind', () => {
    for (const object of buildDesiredState(
      contextFor({
        reindex: { schedule: '@daily', requestId: 'r1' },
        searchGateway: { autoscaling: { maxReplicas: 4 }, ingress: { host: 'a.example.com' } },
      }),
    )) {
      assert.equal(object.metadata.namespace, owner.namespace);
      assert.deepEqual(object.metadata.ownerReferences, [
        {
          apiVersion: 'myragdb.io/v1alpha1',
          kind: 'MyRAGDB',
          name: 'docs',
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.equal(object.metadata.labels?.['app.kubernetes.io/instance'], 'docs');
      assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'myragdb-operator');
      assert.doesNotThrow(() => resourceForObject(object));
      assert.ok(object.metadata.name.length <= 63, object.metadata.name);
    }
  });

  it('service pods are hardened, probed on the health endpoints and sized', () => {
    const objects = buildDesiredState(contextFor({}));
    for (const name of ['docs-search-gateway', 'docs-indexer', 'docs-health']) {
      const deployment = find<V1Deployment>(objects, 'Deployment', name);
      const pod = deployment.spec!.template.spec!;
      const main = container(deployment);
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.deepEqual(main.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      });
      assert.equal(main.readinessProbe?.httpGet?.path, '/api/v1/health/ready');
      assert.equal(main.livenessProbe?.httpGet?.path, '/api/v1/health/live');
      assert.equal(main.ports?.[0]?.containerPort, 3002);
      assert.ok(main.resources?.requests?.cpu && main.resources.limits?.memory);
      assert.equal(main.image, 'ghcr.io/myragdb/myragdb:0.1.0');
      assert.match(deployment.spec!.template.metadata!.annotations!['myragdb.io/config-hash']!, /^[0-9a-f]{16}$/);
    }
    assert.deepEqual(container(find<V1Deployment>(objects, 'Deployment', 'docs-indexer')).command, [
      'node',
      'dist/services/indexer/src/main.js',
    ]);
    assert.equal(find<V1Deployment>(objects, 'Deployment', 'docs-indexer').spec!.strategy!.type, 'Recreate');
  });

  it('secrets reach pods only as references, never as values', () => {
    const objects = buildDesiredState(
      contextFor({
        embedding: { provider: 'openai-compatible', endpoint: 'https://e.example.com/v1', secretRef: { name: 'emb' } },
      }),
    );
    const gateway = find<V1Deployment>(objects, 'Deployment', 'docs-search-gateway');
    const serialized = JSON.stringify(objects.filter((object) => object.kind !== 'Secret'));
    for (const value of Object.values(secrets))
      assert.ok(!serialized.includes(value), 'a secret value leaked outside its Secret');
    const env = Object.fromEntries(
      (container(gateway).env ?? []).map((variable) => [variable.name, variable.valueFrom?.secretKeyRef]),
    );
    assert.deepEqual(env.PGPASSWORD, { name: 'docs-postgres-credentials', key: 'password' });
    assert.deepEqual(env.MEILI_API_KEY, { name: 'docs-meilisearch-credentials', key: 'master-key' });
    assert.deepEqual(env.EMBEDDING_API_KEY, { name: 'emb', key: 'api-key' });
    assert.deepEqual(env.MYRAGDB_API_KEY, { name: 'docs-app-credentials', key: 'api-key' });
  });

  it('gives each instance its own store name prefix, valid for the services and unique per namespace and name', () => {
    const prefixes = [
      { name: 'docs', namespace: 'team-a' },
      { name: 'docs', namespace: 'team-b' },
      { name: 'search.internal', namespace: 'team-a' },
      { name: 'x'.repeat(63), namespace: 'team-a' },
    ].map(storeNamePrefix);
    assert.equal(new Set(prefixes).size, prefixes.length);
    for (const prefix of prefixes) {
      const services = loadConfig({ CHROMA_COLLECTION_PREFIX: `${prefix}-`, MEILI_INDEX_PREFIX: `${prefix}_` });
      assert.equal(services.CHROMA_COLLECTION_PREFIX, `${prefix}-`);
    }
    assert.match(prefixes[2]!, /^search-internal-[0-9a-f]{8}$/);
  });

  it('config points the services at managed or external stores', () => {
    const managed = buildConfigData(contextFor({}));
    assert.equal(managed.DATABASE_URL, 'postgres://myragdb@docs-postgres:5432/myragdb');
    assert.equal(managed.MEILI_URL, 'http://docs-meilisearch:7700');
    assert.equal(managed.CHROMA_URL, 'http://docs-chroma:8000');
    assert.equal(managed.KEYWORD_ENGINE, 'meilisearch');
    assert.equal(managed.INDEXER_SYNC_INTERVAL_SECONDS, '300');
    const external = contextFor({
      stores: {
        postgres: { external: { url: 'postgres://u@db.example.com:5432/x', secretRef: { name: 'pg' } } },
        chroma: { external: { url: 'http://chroma.example.com:8000' } },
      },
    });
    assert.equal(buildConfigData(external).DATABASE_URL, 'postgres://u@db.example.com:5432/x');
    assert.equal(buildConfigData(external).CHROMA_URL, 'http://chroma.example.com:8000');
    // Managed stores keep the default object names; a shared external Chroma gets this instance's prefix.
    assert.equal(managed.CHROMA_COLLECTION_PREFIX, undefined);
    assert.equal(managed.MEILI_INDEX_PREFIX, undefined);
    assert.match(buildConfigData(external).CHROMA_COLLECTION_PREFIX!, /^docs-[0-9a-f]{8}-$/);
    assert.equal(buildConfigData(external).MEILI_INDEX_PREFIX, undefined);
    const objects = buildDesiredState(external);
    assert.ok(
      !kinds(objects).some((name) => /postgres|chroma/.test(name) && !name.startsWith('Secret/')),
      kinds(objects).join(),
    );
    assert.ok(!kinds(objects).includes('Secret/docs-postgres-credentials'));
    assert.deepEqual(
      container(find<V1Deployment>(objects, 'Deployment', 'docs-indexer')).env?.find(
        (variable) => variable.name === 'PGPASSWORD',
      )?.valueFrom?.secretKeyRef,
      { name: 'pg', key: 'password' },
    );
  });

  it('the config hash changes with configuration and generated secrets, not otherwise', () => {
    const base = buildConfigHash(contextFor({}));
    assert.equal(buildConfigHash(contextFor({})), base);
    assert.notEqual(buildConfigHash(contextFor({ indexer: { syncInterval: '10m' } })), base);
    // Git repositories are registered through the API: adding one must not restart every pod.
    assert.equal(buildConfigHash(contextFor({ repositories: [{ name: 'a', git: { url: 'https://x/a.git' } }] })), base);
    assert.notEqual(
      buildConfigHash({ ...contextFor({}), secrets: { ...secrets, apiKey: 'rotated-api-key-0123456789abcdef' } }),
      base,
    );
    assert.equal(buildConfigHash(contextFor({ searchGateway: { replicas: 5 } })), base);
    // A generated value the instance does not use is never stored, so it differs on every reconcile: it must not
    // count, or every reconcile of an instance with an external Postgres would roll its pods (a hot loop).
    const external = { stores: { postgres: { external: { url: 'postgres://db:5432/x', secretRef: { name: 'pg' } } } } };
    assert.equal(
      buildConfigHash({ ...contextFor(external), secrets: { ...secrets, postgresPassword: 'another-random-value' } }),
      buildConfigHash(contextFor(external)),
    );
  });

  it('stores: StatefulSet with a claim template, PVC retention following the deletion policy, hardened pods', () => {
    const retained = buildDesiredState(
      contextFor({ stores: { meilisearch: { managed: { storage: { size: '50Gi', storageClassName: 'fast' } } } } }),
    );
    const meili = find<V1StatefulSet>(retained, 'StatefulSet', 'docs-meilisearch');
    assert.deepEqual(meili.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    const claim = meili.spec!.volumeClaimTemplates![0]!;
    assert.equal(claim.spec!.resources!.requests!.storage, '50Gi');
    assert.equal(claim.spec!.storageClassName, 'fast');
    assert.equal(meili.spec!.serviceName, 'docs-meilisearch');
    assert.equal(container(meili).securityContext?.readOnlyRootFilesystem, true);
    assert.equal(
      container(meili).env?.find((variable) => variable.name === 'MEILI_MASTER_KEY')?.valueFrom?.secretKeyRef?.key,
      'master-key',
    );
    const meiliEnv = Object.fromEntries(
      (container(meili).env ?? []).map((variable) => [variable.name, variable.value]),
    );
    assert.equal(meiliEnv.MEILI_ENV, 'production');
    assert.equal(meiliEnv.MEILI_SCHEDULE_SNAPSHOT, '21600', 'a snapshot every 6 hours on the data volume');
    assert.match(meiliEnv.MEILI_SNAPSHOT_DIR ?? '', /^\/meili_data\//);
    const deleting = buildDesiredState(contextFor({ deletionPolicy: 'Delete' }));
    assert.equal(
      find<V1StatefulSet>(deleting, 'StatefulSet', 'docs-postgres').spec!.persistentVolumeClaimRetentionPolicy!
        .whenDeleted,
      'Delete',
    );
  });

  it('an existing StatefulSet keeps its immutable claim size when the spec grows', () => {
    const objects = buildDesiredState(
      contextFor(
        { stores: { postgres: { managed: { storage: { size: '20Gi' } } } } },
        { storeTemplateSizes: { postgres: '10Gi' } },
      ),
    );
    assert.equal(
      find<V1StatefulSet>(objects, 'StatefulSet', 'docs-postgres').spec!.volumeClaimTemplates![0]!.spec!.resources!
        .requests!.storage,
      '10Gi',
    );
  });

  it('autoscaling: an HPA owns the gateway replicas, which the Deployment then omits', () => {
    const fixed = buildDesiredState(contextFor({ searchGateway: { replicas: 3 } }));
    assert.equal(find<V1Deployment>(fixed, 'Deployment', 'docs-search-gateway').spec!.replicas, 3);
    assert.ok(!kinds(fixed).includes('HorizontalPodAutoscaler/docs-search-gateway'));
    const scaled = buildDesiredState(
      contextFor({
        searchGateway: {
          replicas: 3,
          autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 60 },
        },
      }),
    );
    assert.ok(!('replicas' in find<V1Deployment>(scaled, 'Deployment', 'docs-search-gateway').spec!));
    const hpa = find<{
      spec: { minReplicas: number; maxReplicas: number; metrics: unknown[]; scaleTargetRef: unknown };
    }>(scaled, 'HorizontalPodAutoscaler', 'docs-search-gateway');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 6);
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'docs-search-gateway',
    });
    assert.deepEqual(hpa.spec.metrics, [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    ]);
  });

  it('a disruption budget only when there are two gateways or more', () => {
    assert.ok(
      !kinds(buildDesiredState(contextFor({ searchGateway: { replicas: 1 } }))).includes(
        'PodDisruptionBudget/docs-search-gateway',
      ),
    );
    assert.ok(
      kinds(buildDesiredState(contextFor({ searchGateway: { replicas: 2 } }))).includes(
        'PodDisruptionBudget/docs-search-gateway',
      ),
    );
  });

  it('network policies admit only this instance’s pods, on the store port, with the wire field name `from`', () => {
    const policy = find<{ spec: { podSelector: unknown; ingress: { from: unknown; ports: unknown }[] } }>(
      buildDesiredState(contextFor({})),
      'NetworkPolicy',
      'docs-chroma-ingress',
    );
    assert.deepEqual(policy.spec.podSelector, {
      matchLabels: {
        'app.kubernetes.io/name': 'myragdb',
        'app.kubernetes.io/instance': 'docs',
        'app.kubernetes.io/component': 'chroma',
      },
    });
    assert.deepEqual(policy.spec.ingress, [
      {
        from: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'myragdb', 'app.kubernetes.io/instance': 'docs' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
  });

  it('redis: none by default; managed is a hardened Deployment and Service behind a policy, with a generated password; external is only config', () => {
    const none = buildDesiredState(contextFor({}));
    assert.ok(!kinds(none).some((kind) => kind.includes('redis')));
    assert.equal(buildConfigData(contextFor({})).REDIS_URL, undefined);

    const context = contextFor({ stores: { redis: { managed: { maxMemory: '128mb' } } } });
    const objects = buildDesiredState(context);
    const deployment = find<V1Deployment>(objects, 'Deployment', 'docs-redis');
    const redis = container(deployment);
    assert.equal(redis.image, 'docker.io/library/redis:7.4-alpine');
    assert.deepEqual(redis.args?.slice(redis.args.indexOf('--maxmemory'), redis.args.indexOf('--maxmemory') + 4), [
      '--maxmemory',
      '128mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    assert.ok(redis.args?.includes('$(REDIS_PASSWORD)'), 'the password comes from the env, not the pod spec');
    assert.deepEqual(redis.env, [
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'docs-redis-credentials', key: 'password' } } },
    ]);
    assert.equal(redis.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(deployment.spec?.strategy?.type, 'Recreate');
    find(objects, 'Service', 'docs-redis');
    find(objects, 'NetworkPolicy', 'docs-redis-ingress');
    const secret = find<{ stringData: Record<string, string> }>(objects, 'Secret', 'docs-redis-credentials');
    assert.equal(secret.stringData.password, secrets.redisPassword);
    const data = buildConfigData(context);
    assert.equal(data.REDIS_URL, 'redis://docs-redis:6379');
    assert.equal(data.REDIS_KEY_PREFIX, undefined, 'its own Redis: the default prefix');
    const gateway = container(find<V1Deployment>(objects, 'Deployment', 'docs-search-gateway'));
    assert.ok(
      gateway.env?.some(
        (variable) =>
          variable.name === 'REDIS_PASSWORD' && variable.valueFrom?.secretKeyRef?.name === 'docs-redis-credentials',
      ),
    );
    assert.notEqual(buildConfigHash(context), buildConfigHash(contextFor({})), 'adding Redis rolls the gateways');
    // The config the services read parses, REDIS_URL included.
    assert.equal(
      loadConfig({ ...data, ENVIRONMENT: 'test', REDIS_PASSWORD: 'x' }).REDIS_URL,
      'redis://docs-redis:6379',
    );

    const external = contextFor({
      stores: { redis: { external: { url: 'rediss://cache.example.com:6380/2', secretRef: { name: 'cache' } } } },
    });
    const externalObjects = buildDesiredState(external);
    assert.ok(!kinds(externalObjects).some((kind) => kind.includes('docs-redis')));
    assert.equal(buildConfigData(external).REDIS_URL, 'rediss://cache.example.com:6380/2');
    assert.equal(buildConfigData(external).REDIS_KEY_PREFIX, `${storeNamePrefix(owner)}:`, 'a shared Redis: own keys');
    const externalGateway = container(find<V1Deployment>(externalObjects, 'Deployment', 'docs-search-gateway'));
    assert.deepEqual(
      externalGateway.env?.find((variable) => variable.name === 'REDIS_PASSWORD'),
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache', key: 'password' } } },
    );
  });

  it('reindex: a CronJob per schedule, a Job per pending requestId and none once its result is recorded', () => {
    const scheduled = buildDesiredState(contextFor({ reindex: { schedule: '0 3 * * *' } }));
    const cron = find<{ spec: { schedule: string; concurrencyPolicy: string } }>(scheduled, 'CronJob', 'docs-reindex');
    assert.equal(cron.spec.schedule, '0 3 * * *');
    assert.equal(cron.spec.concurrencyPolicy, 'Forbid');

    const name = reindexJobName(owner, 'r-1');
    assert.match(name, /^docs-reindex-[0-9a-f]{10}$/);
    const pending = buildDesiredState(contextFor({ reindex: { requestId: 'r-1' } }));
    const job = find<V1Job>(pending, 'Job', name);
    assert.deepEqual(container({ spec: job.spec! }).command, REINDEX_COMMAND);
    assert.equal(job.spec!.template.spec!.restartPolicy, 'Never');
    assert.equal(job.metadata.labels?.['myragdb.io/reindex-request-id'], 'r-1');
    assert.equal(container({ spec: job.spec! }).readinessProbe, undefined);

    const running = buildDesiredState(
      contextFor({ reindex: { requestId: 'r-1' } }, { lastReindex: { requestId: 'r-1', result: 'Running' } }),
    );
    assert.ok(kinds(running).includes(`Job/${name}`));
    const done = buildDesiredState(
      contextFor({ reindex: { requestId: 'r-1' } }, { lastReindex: { requestId: 'r-1', result: 'Succeeded' } }),
    );
    assert.ok(!kinds(done).some((entry) => entry.startsWith('Job/')));
    const next = buildDesiredState(
      contextFor({ reindex: { requestId: 'r-2' } }, { lastReindex: { requestId: 'r-1', result: 'Failed' } }),
    );
    assert.ok(kinds(next).includes(`Job/${reindexJobName(owner, 'r-2')}`));
  });

  it('repositories: catalog registrations with credentials from their Secret, volumes mounted read-only', () => {
    const context = contextFor({
      repositories: [
        {
          name: 'app',
          git: { url: 'https://git.example.com/app.git' },
          credentialsSecretRef: { name: 'git' },
          include: ['src/**'],
        },
        { name: 'lib', git: { url: 'https://git.example.com/lib.git', ref: 'v2' } },
        { name: 'docs', volume: { claimName: 'docs-pvc', path: 'sub' } },
      ],
    });
    const secretData = new Map([['git', { username: 'bot', password: 'token-1' }]]);
    assert.deepEqual(buildRepositoryRegistrations(context.spec, secretData), [
      {
        name: 'app',
        source: {
          type: 'git',
          url: 'https://git.example.com/app.git',
          ref: 'main',
          credentials: { token: 'token-1', username: 'bot' },
        },
        include: ['src/**'],
        exclude: [],
      },
      {
        name: 'lib',
        source: { type: 'git', url: 'https://git.example.com/lib.git', ref: 'v2' },
        include: [],
        exclude: [],
      },
      { name: 'docs', source: { type: 'local', path: '/repositories/docs/sub' }, include: [], exclude: [] },
    ]);
    assert.equal(buildConfigData(context).MYRAGDB_ALLOWED_ROOTS, '/repositories');
    const objects = buildDesiredState(context);
    for (const name of ['docs-indexer', 'docs-search-gateway']) {
      const deployment = find<V1Deployment>(objects, 'Deployment', name);
      assert.deepEqual(
        deployment.spec!.template.spec!.volumes!.find((volume) => volume.name === 'repo-docs')?.persistentVolumeClaim,
        { claimName: 'docs-pvc', readOnly: true },
      );
      assert.deepEqual(
        container(deployment).volumeMounts!.find((mount) => mount.name === 'repo-docs'),
        { name: 'repo-docs', mountPath: '/repositories/docs', readOnly: true },
      );
    }
    const health = find<V1Deployment>(objects, 'Deployment', 'docs-health');
    assert.ok(!health.spec!.template.spec!.volumes!.some((volume) => volume.name.startsWith('repo-')));
    const serialized = JSON.stringify(objects);
    assert.ok(!serialized.includes('token-1'), 'git credentials must not appear in any child object');
  });

  it('ingress with TLS, and the reported gateway endpoint', () => {
    const context = contextFor({
      searchGateway: { ingress: { host: 'search.example.com', tlsSecretName: 'tls', className: 'nginx' } },
    });
    const ingress = find<{ spec: { tls: unknown; ingressClassName: string; rules: { host: string }[] } }>(
      buildDesiredState(context),
      'Ingress',
      'docs-search-gateway',
    );
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['search.example.com'], secretName: 'tls' }]);
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.equal(gatewayEndpoint(context), 'https://search.example.com');
    assert.equal(gatewayEndpoint(contextFor({})), 'http://docs-search-gateway.search.svc:3002');
  });

  it('trusts one proxy hop for client IPs exactly when it creates the Ingress', () => {
    const behindIngress = contextFor({ searchGateway: { ingress: { host: 'search.example.com' } } });
    assert.equal(buildConfigData(behindIngress).TRUST_PROXY, '1');
    assert.equal(buildConfigData(contextFor({})).TRUST_PROXY, undefined);
  });
});
