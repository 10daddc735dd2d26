/**
 * The operator against a real kube-apiserver, kube-controller-manager, scheduler and kwok (simulated kubelet:
 * pods become Ready, Job pods complete). Each scenario runs in its own namespace with a namespaced operator.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionReason, ConditionType } from '../../../operator/src/api/v1alpha1/conditions.js';
import type { MyRAGDB } from '../../../operator/src/api/v1alpha1/myragdb.types.js';
import { ContentType, KubeApiError } from '../../../operator/src/kube/kube-client.js';
import type { KubeObject } from '../../../operator/src/kube/kube-object.js';
import { Resources, resourcePath } from '../../../operator/src/kube/resources.js';
import type { RunningOperator } from '../../../operator/src/main.js';
import { reindexJobName } from '../../../operator/src/specs/reindex.specs.js';
import { buildRbacManifests } from '../../../operator/src/rbac/rbac.js';
import { buildOperatorDeployment } from '../../../operator/src/manifests/operator-deployment.js';
import {
  applyMyRAGDB,
  condition,
  createVolumes,
  deleteAndWait,
  eventually,
  getMyRAGDB,
  listChildren,
  loadSample,
  runOperator,
  waitForCondition,
  operatorSuite,
  startGatewayApi,
  type GatewayApi,
} from './operator-harness.js';
import type { KubeClient } from '../../../operator/src/kube/kube-client.js';

const instance = (name: string) => `app.kubernetes.io/instance=${name}`;

async function expectRejected(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KubeApiError, String(error));
    assert.equal(error.statusCode, 422, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('operator integration (real API server)', function () {
  // Each scenario waits on real controllers (rollouts, Jobs, garbage collection).
  this.timeout(180_000);
  const suite = operatorSuite();
  let client: KubeClient;
  before(() => (client = suite.client));
  const namespace = (prefix: string) => suite.namespace(prefix);

  async function operatorIn(ns: string, overrides: Parameters<typeof runOperator>[2] = {}): Promise<RunningOperator> {
    return suite.track(await runOperator(suite.cp.kubeConfig, ns, overrides));
  }

  describe('the CRD', () => {
    it('both samples pass server-side validation, and the API server fills the defaults', async () => {
      const ns = await namespace('crd');
      for (const file of ['myragdb-minimal.yaml', 'myragdb-production.yaml']) {
        const sample = loadSample(file);
        const stored = await applyMyRAGDB(client, ns, sample, { dryRun: true });
        assert.equal(stored.metadata.name, sample.metadata.name);
      }
      const stored = (await applyMyRAGDB(client, ns, loadSample('myragdb-minimal.yaml'), {
        dryRun: true,
      })) as MyRAGDB & {
        spec: {
          searchGateway: { replicas: number };
          stores: { postgres: { managed: { storage: { size: string }; image: string } } };
          deletionPolicy: string;
        };
      };
      assert.equal(stored.spec.searchGateway.replicas, 2);
      assert.equal(stored.spec.stores.postgres.managed.storage.size, '10Gi');
      assert.equal(stored.spec.deletionPolicy, 'Retain');
    });

    it('the generated RBAC and operator Deployment pass server-side validation', async () => {
      const ns = await namespace('rbac');
      const paths: Record<string, (namespace: string, name: string) => string> = {
        ServiceAccount: (n) => `/api/v1/namespaces/${n}/serviceaccounts`,
        ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
        Role: (n) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${n}/roles`,
        RoleBinding: (n) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${n}/rolebindings`,
        Deployment: (n) => `/apis/apps/v1/namespaces/${n}/deployments`,
      };
      for (const manifest of [...buildRbacManifests(ns), buildOperatorDeployment(ns)] as KubeObject[]) {
        await client.request({
          method: 'POST',
          path: paths[manifest.kind]!(ns, manifest.metadata.name),
          query: { dryRun: 'All', fieldValidation: 'Strict' },
          body: manifest,
        });
      }
    });

    it('CEL rules reject cross-field violations, and storage can only grow', async () => {
      const ns = await namespace('cel');
      const apply = (spec: unknown, name = 'bad') => applyMyRAGDB(client, ns, { metadata: { name }, spec });
      await expectRejected(
        apply({ searchGateway: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }),
        /minReplicas must not exceed maxReplicas/,
      );
      await expectRejected(
        apply({ stores: { chroma: { managed: {}, external: { url: 'http://chroma:8000' } } } }),
        /set exactly one of managed or external/,
      );
      await expectRejected(apply({ repositories: [{ name: 'r' }] }), /set exactly one of git or volume/);
      await expectRejected(
        apply({ embedding: { provider: 'openai-compatible' } }),
        /openai-compatible needs an endpoint/,
      );
      await expectRejected(apply({ deletionPolicy: 'Purge' }), /Unsupported value: "Purge"/);
      await expectRejected(apply({}, 'x'.repeat(41)), /metadata.name must be at most 40 characters/);
      await apply({ stores: { postgres: { managed: { storage: { size: '20Gi' } } } } }, 'grow');
      await expectRejected(
        apply({ stores: { postgres: { managed: { storage: { size: '10Gi' } } } } }, 'grow'),
        /storage size can not shrink/,
      );
      await apply({ stores: { postgres: { managed: { storage: { size: '30Gi' } } } } }, 'grow');
    });
  });

  describe('the life of one MyRAGDB', () => {
    let ns: string;
    let operator: RunningOperator;
    const name = 'docs';
    const base = () => ({ ...(loadSample('myragdb-minimal.yaml').spec as object) });
    let spec: Record<string, unknown>;
    const apply = () => applyMyRAGDB(client, ns, { metadata: { name }, spec });
    const deployment = (component: string) =>
      client.get<KubeObject & { spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } } }>(
        resourcePath(Resources.Deployment, ns, `${name}-${component}`),
      );

    let gateway: GatewayApi;
    before(async () => {
      ns = await namespace('life');
      await createVolumes(client, 3);
      gateway = await startGatewayApi();
      operator = await operatorIn(ns, { http: { host: '127.0.0.1', port: 0 }, gatewayUrl: () => gateway.url });
      spec = base();
    });
    after(() => gateway.close());

    it('apply → every child exists, controlled by the MyRAGDB and written by the operator’s field manager', async () => {
      const created = await apply();
      await eventually(
        async () => (await listChildren(client, 'Deployment', ns, instance(name))).length === 3,
        'three deployments',
      );
      await eventually(
        async () => (await listChildren(client, 'PodDisruptionBudget', ns, instance(name))).length === 1,
        'the PDB',
      );
      const children = (
        await Promise.all(
          (
            [
              'Deployment',
              'StatefulSet',
              'Service',
              'ConfigMap',
              'Secret',
              'NetworkPolicy',
              'PodDisruptionBudget',
            ] as const
          ).map((kind) => listChildren(client, kind, ns, instance(name))),
        )
      ).flat();
      assert.deepEqual(
        children.map((child) => child.kind).sort(),
        [
          'ConfigMap',
          ...Array(3).fill('Deployment'),
          ...Array(3).fill('NetworkPolicy'),
          'PodDisruptionBudget',
          ...Array(3).fill('Secret'),
          ...Array(6).fill('Service'),
          ...Array(3).fill('StatefulSet'),
        ].sort(),
      );
      for (const child of children) {
        const owner = child.metadata.ownerReferences?.find((reference) => reference.controller);
        assert.equal(owner?.uid, created.metadata.uid, `${child.kind}/${child.metadata.name} owner`);
        assert.ok(
          child.metadata.managedFields?.some(
            (entry) => entry.manager === 'myragdb-operator' && entry.operation === 'Apply',
          ),
          `${child.kind}/${child.metadata.name} has no Apply entry of myragdb-operator`,
        );
      }
      const resource = await getMyRAGDB(client, ns, name);
      assert.ok(resource?.metadata.finalizers?.includes('myragdb.io/cleanup'));
    });

    it('simulated pod readiness → Ready=True, with status, printer columns, events and metrics', async () => {
      const ready = await waitForCondition(client, ns, name, ConditionType.Ready, 'True', 120_000);
      assert.equal(ready.status?.phase, 'Ready');
      assert.equal(ready.status?.observedGeneration, ready.metadata.generation);
      assert.equal(ready.status?.endpoints?.gateway, `http://docs-search-gateway.${ns}.svc:3002`);
      assert.equal(ready.status?.gatewayReplicas, 2);
      assert.equal(ready.status?.components?.postgres?.ready, true);
      assert.equal(condition(ready, ConditionType.Degraded)?.status, 'False');
      // kubectl get asks for a server-side Table, built from the CRD's printer columns.
      const table = await client.request<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>({
        method: 'GET',
        path: resourcePath(Resources.MyRAGDB, ns, name),
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      });
      assert.deepEqual(table.columnDefinitions.map((column) => column.name).slice(1, 5), [
        'Ready',
        'Phase',
        'Gateway',
        'Version',
      ]);
      assert.deepEqual(table.rows[0]!.cells.slice(1, 5), [
        'True',
        'Ready',
        `http://docs-search-gateway.${ns}.svc:3002`,
        '0.1.0',
      ]);
      const events = await listChildren(client, 'Event', ns);
      assert.ok(
        events.some((event) => (event as unknown as { reason: string }).reason === ConditionReason.AllComponentsReady),
      );
      const metrics = await (await fetch(`${operator.probeUrl}/metrics`)).text();
      assert.match(
        metrics,
        /controller_runtime_reconcile_total\{controller="myragdb",result="(success|requeue_after)"\} [1-9]/,
      );
      assert.match(metrics, /workqueue_adds_total\{name="myragdb"\} [1-9]/);
      assert.match(metrics, /leader_election_master_status\{name="myragdb-operator"\} 1/);
      // Settled: no more status writes (each write is a watch event that would trigger another reconcile).
      const settled = (await getMyRAGDB(client, ns, name))!.metadata.resourceVersion;
      await sleep(3000);
      assert.equal(
        (await getMyRAGDB(client, ns, name))!.metadata.resourceVersion,
        settled,
        'the operator keeps rewriting a Ready resource',
      );
      assert.equal((await fetch(`${operator.probeUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${operator.probeUrl}/readyz`)).status, 200);
    });

    it('a reconcile of an unchanged instance writes nothing; a child someone changed is applied again', async () => {
      // Applies, status and event updates are PATCHes; leader election renews its Lease with PUTs meanwhile.
      const patches = async () => {
        const text = await (await fetch(`${operator.probeUrl}/metrics`)).text();
        return text
          .split('\n')
          .filter((line) => line.startsWith('rest_client_requests_total{method="PATCH"'))
          .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
      };
      const reconciles = async () =>
        Number(
          /workqueue_adds_total\{name="myragdb"\} (\d+)/.exec(
            await (await fetch(`${operator.probeUrl}/metrics`)).text(),
          )?.[1],
        );
      const before = await patches();
      const addsBefore = await reconciles();
      // A label on the MyRAGDB is a watch event (a reconcile) that changes nothing the children depend on.
      await client.request({
        method: 'PATCH',
        path: resourcePath(Resources.MyRAGDB, ns, name),
        body: { metadata: { labels: { touched: String(Date.now()) } } },
        contentType: ContentType.mergePatch,
      });
      await eventually(async () => (await reconciles()) > addsBefore, 'a reconcile of the touched resource', 10_000);
      await sleep(1500);
      assert.equal((await patches()) - before, 0, 'no apply, no status write for an unchanged instance');

      // Someone scales the gateway's Deployment (a new generation): the next reconcile puts the operator's spec back.
      const wanted = (await deployment('search-gateway')).spec.replicas;
      await client.request({
        method: 'PATCH',
        path: resourcePath(Resources.Deployment, ns, `${name}-search-gateway`),
        body: { spec: { replicas: 5 } },
        contentType: ContentType.mergePatch,
      });
      await eventually(
        async () => (await deployment('search-gateway')).spec.replicas === wanted,
        'the operator to restore the replicas',
        30_000,
      );
    });

    it('once the gateway is up, the spec’s repositories are registered in its catalog with the admin key', async () => {
      const registered = await eventually(async () => gateway.repositories.get('myragdb'), 'the registration');
      assert.deepEqual(registered, {
        name: 'myragdb',
        source: { type: 'git', url: 'https://github.com/example/myragdb.git', ref: 'main' },
        include: [],
        exclude: [],
      });
      const secret = await client.get<{ data: Record<string, string> }>(
        resourcePath(Resources.Secret, ns, `${name}-app-credentials`),
      );
      const apiKey = Buffer.from(secret.data['api-key']!, 'base64').toString();
      assert.ok(gateway.requests.every((request) => request.authorization === `Bearer ${apiKey}`));
      const events = (await listChildren(client, 'Event', ns)) as unknown as { reason: string; message: string }[];
      assert.ok(events.some((event) => event.reason === 'RepositoryRegistered' && /myragdb/.test(event.message)));
    });

    it('a spec edit converges the children and observedGeneration follows', async () => {
      spec = { ...spec, version: '0.2.0', indexer: { syncInterval: '10m' } };
      const edited = await apply();
      await eventually(
        async () => (await deployment('indexer')).spec.template.spec.containers[0]!.image.endsWith(':0.2.0'),
        'the new image',
      );
      const config = await client.get<{ data: Record<string, string> }>(
        resourcePath(Resources.ConfigMap, ns, `${name}-config`),
      );
      assert.equal(config.data.INDEXER_SYNC_INTERVAL_SECONDS, '600');
      const ready = await eventually(
        async () => {
          const resource = await getMyRAGDB(client, ns, name);
          return resource?.status?.observedGeneration === edited.metadata.generation &&
            condition(resource, ConditionType.Ready)?.status === 'True'
            ? resource
            : undefined;
        },
        'observedGeneration to follow and Ready again',
        120_000,
      );
      assert.equal(ready.status?.version, '0.2.0');
    });

    it('autoscaling adds an HPA that owns the replicas; removing it prunes the HPA', async () => {
      spec = { ...spec, searchGateway: { autoscaling: { minReplicas: 2, maxReplicas: 5 } } };
      await apply();
      await eventually(
        async () => (await listChildren(client, 'HorizontalPodAutoscaler', ns, instance(name))).length === 1,
        'the HPA',
      );
      spec = { ...spec, searchGateway: { replicas: 2 } };
      await apply();
      await eventually(
        async () => (await listChildren(client, 'HorizontalPodAutoscaler', ns, instance(name))).length === 0,
        'the HPA pruned',
      );
    });

    it('a managed Redis: Deployment, Service and policy appear, gateways get its URL and password by reference; removing it prunes them', async () => {
      const withoutRedis = spec;
      spec = { ...spec, stores: { ...(spec.stores ?? {}), redis: { managed: {} } } };
      await apply();
      const redis = await eventually(
        async () => (await client.find<KubeObject>(resourcePath(Resources.Deployment, ns, `${name}-redis`))) ?? false,
        'the Redis Deployment',
      );
      assert.equal(redis.metadata.labels?.['app.kubernetes.io/component'], 'redis');
      // The rest of the reconcile's applies (the policy comes after the workloads) land moments later.
      await eventually(
        async () =>
          (await client.find(resourcePath(Resources.Service, ns, `${name}-redis`))) !== undefined &&
          (await client.find(resourcePath(Resources.NetworkPolicy, ns, `${name}-redis-ingress`))) !== undefined &&
          (await client.find(resourcePath(Resources.Secret, ns, `${name}-redis-credentials`))) !== undefined,
        'the Redis Service, NetworkPolicy and credentials',
      );
      const config = await client.get<{ data: Record<string, string> }>(
        resourcePath(Resources.ConfigMap, ns, `${name}-config`),
      );
      assert.equal(config.data.REDIS_URL, `redis://${name}-redis:6379`);
      type GatewayEnv = {
        spec: { template: { spec: { containers: { env?: { name: string; valueFrom?: unknown }[] }[] } } };
      };
      const passwordFrom = await eventually(
        async () =>
          ((await deployment('search-gateway')) as unknown as GatewayEnv).spec.template.spec.containers[0]!.env?.find(
            (variable) => variable.name === 'REDIS_PASSWORD',
          )?.valueFrom,
        'the gateway to get REDIS_PASSWORD',
      );
      assert.deepEqual(passwordFrom, { secretKeyRef: { name: `${name}-redis-credentials`, key: 'password' } });
      // kwok reports the pod ready: the component shows in status.
      await eventually(
        async () => (await getMyRAGDB(client, ns, name))?.status?.components?.redis?.ready === true,
        'redis ready in status',
      );

      spec = withoutRedis;
      await apply();
      await eventually(
        async () =>
          (await client.find(resourcePath(Resources.Deployment, ns, `${name}-redis`))) === undefined &&
          (await client.find(resourcePath(Resources.Service, ns, `${name}-redis`))) === undefined,
        'the Redis pruned',
      );
      const after = await client.get<{ data: Record<string, string> }>(
        resourcePath(Resources.ConfigMap, ns, `${name}-config`),
      );
      assert.equal(after.data.REDIS_URL, undefined);
    });

    it('kubectl scale on the MyRAGDB scales the gateway', async () => {
      await client.request({
        method: 'PATCH',
        path: resourcePath(Resources.MyRAGDB, ns, name, 'scale'),
        body: { spec: { replicas: 4 } },
        contentType: ContentType.mergePatch,
      });
      await eventually(
        async () => (await deployment('search-gateway')).spec.replicas === 4,
        'the gateway at 4 replicas',
      );
      const scale = await eventually(
        async () => {
          const current = await client.get<{ status: { replicas: number; selector: string } }>(
            resourcePath(Resources.MyRAGDB, ns, name, 'scale'),
          );
          return current.status.replicas === 4 ? current : undefined;
        },
        'status.gatewayReplicas to reach 4',
        60_000,
      );
      assert.match(scale.status.selector, /app\.kubernetes\.io\/component=search-gateway/);
      spec = { ...spec, searchGateway: { replicas: 4 } };
    });

    it('reindex.requestId runs a Job whose simulated completion lands in status', async () => {
      spec = { ...spec, reindex: { requestId: 'reindex-1' } };
      await apply();
      const jobName = reindexJobName({ name }, 'reindex-1');
      await eventually(() => client.find(resourcePath(Resources.Job, ns, jobName)), 'the reindex Job');
      const done = await waitForCondition(client, ns, name, ConditionType.ReindexSucceeded, 'True', 120_000);
      assert.equal(done.status?.lastReindex?.requestId, 'reindex-1');
      assert.equal(done.status?.lastReindex?.job, jobName);
      assert.equal(done.status?.lastReindex?.result, 'Succeeded');
      assert.ok(done.status?.lastReindex?.completionTime);
    });

    it('a spec the schema accepts but the operator cannot use becomes Degraded, and clears when fixed', async () => {
      spec = { ...spec, reindex: { requestId: 'reindex-1', schedule: '61 * * * *' } };
      await apply();
      const degraded = await waitForCondition(client, ns, name, ConditionType.Degraded, 'True');
      assert.equal(condition(degraded, ConditionType.Degraded)?.reason, ConditionReason.InvalidSpec);
      assert.match(
        condition(degraded, ConditionType.Degraded)!.message,
        /spec\.reindex\.schedule: invalid cron schedule: minute must be within 0-59/,
      );
      spec = { ...spec, reindex: { requestId: 'reindex-1', schedule: '0 3 * * *' } };
      await apply();
      await waitForCondition(client, ns, name, ConditionType.Degraded, 'False');
      await eventually(
        async () => (await listChildren(client, 'CronJob', ns, instance(name))).length === 1,
        'the CronJob',
      );
    });

    it('a missing credentials Secret shows in status until it exists', async () => {
      spec = { ...spec, embedding: { provider: 'local', secretRef: { name: 'embedder', key: 'api-key' } } };
      await apply();
      const degraded = await waitForCondition(client, ns, name, ConditionType.Degraded, 'True');
      assert.equal(condition(degraded, ConditionType.Degraded)?.reason, ConditionReason.SecretNotFound);
      assert.match(condition(degraded, ConditionType.Degraded)!.message, /Secret embedder \(embedding\) not found/);
      await client.request({
        method: 'POST',
        path: resourcePath(Resources.Secret, ns),
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'embedder' }, stringData: { 'api-key': 'k' } },
      });
      await waitForCondition(client, ns, name, ConditionType.Degraded, 'False');
    });

    it('paused: edits and deleted children are left alone until unpaused', async () => {
      spec = { ...spec, paused: true };
      await apply();
      await waitForCondition(client, ns, name, ConditionType.ReconciliationPaused, 'True');
      spec = { ...spec, version: '0.3.0' };
      await apply();
      await client.delete(resourcePath(Resources.ConfigMap, ns, `${name}-config`));
      await sleep(4000);
      assert.ok(
        (await deployment('indexer')).spec.template.spec.containers[0]!.image.endsWith(':0.2.0'),
        'a paused MyRAGDB was changed',
      );
      assert.equal(await client.find(resourcePath(Resources.ConfigMap, ns, `${name}-config`)), undefined);
      assert.equal((await getMyRAGDB(client, ns, name))?.status?.phase, 'Paused');
      spec = { ...spec, paused: false };
      await apply();
      await eventually(
        async () => (await deployment('indexer')).spec.template.spec.containers[0]!.image.endsWith(':0.3.0'),
        'the edit after unpausing',
      );
      await eventually(
        () => client.find(resourcePath(Resources.ConfigMap, ns, `${name}-config`)),
        'the deleted ConfigMap back',
      );
    });

    it('an object of the same name that the operator does not own is refused, not taken over', async () => {
      await client.request({
        method: 'POST',
        path: resourcePath(Resources.ConfigMap, ns),
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-config' }, data: { mine: 'yes' } },
      });
      await applyMyRAGDB(client, ns, { metadata: { name: 'other' }, spec: { stores: spec.stores } });
      const degraded = await waitForCondition(client, ns, 'other', ConditionType.Degraded, 'True');
      assert.equal(condition(degraded, ConditionType.Degraded)?.reason, ConditionReason.ResourceConflict);
      assert.match(
        condition(degraded, ConditionType.Degraded)!.message,
        /ConfigMap .*other-config exists and is not managed by this MyRAGDB/,
      );
      const untouched = await client.get<{ data: Record<string, string>; metadata: { ownerReferences?: unknown } }>(
        resourcePath(Resources.ConfigMap, ns, 'other-config'),
      );
      assert.deepEqual(untouched.data, { mine: 'yes' });
      assert.equal(untouched.metadata.ownerReferences, undefined);
    });

    it('switching the keyword engine: searches stay on Meilisearch until every repository is in PostgreSQL', async () => {
      const config = async () =>
        (await client.get<{ data: Record<string, string> }>(resourcePath(Resources.ConfigMap, ns, `${name}-config`)))
          .data;
      const indexerEngine = async () =>
        (
          (await deployment('indexer')).spec.template.spec.containers[0] as unknown as {
            env?: { name: string; value?: string }[];
          }
        ).env?.find((variable) => variable.name === 'KEYWORD_ENGINE')?.value;
      const meilisearch = () => client.find(resourcePath(Resources.StatefulSet, ns, `${name}-meilisearch`));
      assert.ok(await meilisearch(), 'Meilisearch runs before the switch');
      spec = { ...spec, keywordEngine: 'postgres' };
      await apply();

      const switching = await eventually(async () => {
        const resource = await getMyRAGDB(client, ns, name);
        return resource?.status?.keywordEngine?.repositories === 1 ? resource : undefined;
      }, 'the switch and its progress in status');
      assert.deepEqual(switching.status?.keywordEngine, {
        serving: 'meilisearch',
        target: 'postgres',
        repositories: 1,
        repositoriesMoved: 0,
      });
      assert.equal(condition(switching, ConditionType.Ready)?.status, 'False');
      assert.match(
        condition(switching, ConditionType.Ready)!.message,
        /keyword engine meilisearch -> postgres: 0 of 1 repositories moved/,
      );
      assert.equal((await config()).KEYWORD_ENGINE, 'meilisearch', 'searches stay where the documents are');
      await eventually(async () => (await indexerEngine()) === 'postgres', 'the indexer writing into PostgreSQL');
      await eventually(
        async () => gateway.syncRequests.some((names) => names.includes('myragdb')),
        'a sync of the repository requested',
      );
      assert.ok(await meilisearch(), 'Meilisearch keeps serving during the switch');

      // The indexer's sync has written the repository's documents into PostgreSQL.
      gateway.repositories.get('myragdb')!.keywordStore = 'postgres/bm25-v2';
      const switched = await eventually(
        async () => {
          const resource = await getMyRAGDB(client, ns, name);
          return resource?.status?.keywordEngine?.serving === 'postgres' &&
            condition(resource, ConditionType.Ready)?.status === 'True'
            ? resource
            : undefined;
        },
        'searches on PostgreSQL and Ready again',
        120_000,
      );
      assert.deepEqual(switched.status?.keywordEngine, { serving: 'postgres' });
      await eventually(async () => (await config()).KEYWORD_ENGINE === 'postgres', 'searches moved to PostgreSQL');
      assert.equal((await config()).MEILI_URL, undefined);
      await eventually(async () => (await indexerEngine()) === undefined, 'the indexer following the ConfigMap');
      await eventually(async () => (await meilisearch()) === undefined, 'the unused Meilisearch removed');
      assert.equal(switched.status?.components?.meilisearch, undefined);
    });
  });

  describe('deletion', () => {
    it('Retain: volumes and generated credentials stay (orphaned), the resource goes', async () => {
      const ns = await namespace('retain');
      await createVolumes(client, 3);
      await operatorIn(ns);
      await applyMyRAGDB(client, ns, { metadata: { name: 'keep' }, spec: {} });
      await eventually(
        async () => (await listChildren(client, 'PersistentVolumeClaim', ns, instance('keep'))).length === 3,
        'three claims',
      );
      await deleteAndWait(client, ns, 'keep');
      const claims = await listChildren(client, 'PersistentVolumeClaim', ns, instance('keep'));
      assert.equal(claims.length, 3);
      const secrets = await listChildren(client, 'Secret', ns, instance('keep'));
      assert.equal(secrets.length, 3);
      for (const secret of secrets)
        assert.equal(secret.metadata.ownerReferences, undefined, `${secret.metadata.name} still owned`);
    });

    it('Delete: repository data is removed through the gateway (retried until it succeeds), then the volumes', async () => {
      const ns = await namespace('delete');
      await createVolumes(client, 2);
      const gateway = await startGatewayApi();
      try {
        await operatorIn(ns, { gatewayUrl: () => gateway.url });
        await client.request({
          method: 'POST',
          path: resourcePath(Resources.Secret, ns),
          body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pg' }, stringData: { password: 'p' } },
        });
        await applyMyRAGDB(client, ns, {
          metadata: { name: 'drop' },
          spec: {
            deletionPolicy: 'Delete',
            repositories: [
              { name: 'alpha', git: { url: 'https://git.example.com/alpha.git' } },
              { name: 'beta', git: { url: 'https://git.example.com/beta.git' } },
            ],
            stores: {
              postgres: { external: { url: 'postgres://u@db.example.com:5432/x', secretRef: { name: 'pg' } } },
            },
          },
        });
        await eventually(
          async () => gateway.repositories.size === 2,
          'both repositories registered once the gateway is up',
        );
        await eventually(
          async () => (await listChildren(client, 'PersistentVolumeClaim', ns, instance('drop'))).length === 2,
          'two claims',
        );
        const apiKey = await client
          .get<{ data: Record<string, string> }>(resourcePath(Resources.Secret, ns, 'drop-app-credentials'))
          .then((secret) => Buffer.from(secret.data['api-key']!, 'base64').toString());
        const originalClaims = new Set(
          (await listChildren(client, 'PersistentVolumeClaim', ns, instance('drop'))).map(
            (claim) => claim.metadata.uid,
          ),
        );
        gateway.failDeletes = 1;
        await deleteAndWait(client, ns, 'drop', 90_000);
        const deletes = gateway.requests.filter((request) => request.method === 'DELETE');
        assert.deepEqual(
          deletes.map((request) => request.url),
          ['/api/v1/repositories/alpha', '/api/v1/repositories/alpha', '/api/v1/repositories/beta'],
        );
        assert.ok(deletes.every((request) => request.authorization === `Bearer ${apiKey}`));
        assert.equal(gateway.repositories.size, 0);
        const events = (await listChildren(client, 'Event', ns)) as unknown as {
          reason: string;
          type: string;
          message: string;
        }[];
        const cleanupFailure = events.find((event) => event.reason === ConditionReason.DataCleanupFailed);
        assert.equal(cleanupFailure?.type, 'Warning');
        assert.match(cleanupFailure.message, /cleanup before deletion failed: .*answered 503/);
        // No StatefulSet is left to replace a claim: every claim still listed is an original one, terminating.
        assert.deepEqual(await listChildren(client, 'StatefulSet', ns, instance('drop')), []);
        const claims = await listChildren(client, 'PersistentVolumeClaim', ns, instance('drop'));
        for (const claim of claims) {
          assert.ok(originalClaims.has(claim.metadata.uid), `${claim.metadata.name} was created after deletion`);
          assert.ok(claim.metadata.deletionTimestamp, `${claim.metadata.name} is not being deleted`);
        }
      } finally {
        await gateway.close();
      }
    });
  });
});
