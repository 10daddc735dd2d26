/**
 * Data safety on the real API server: PostgreSQL on CloudNativePG (its own v1.30.0 CRDs validate what the operator
 * writes; the Cluster's status is written the way CloudNativePG does), the pg_dump backup CronJob, and upgrades that
 * migrate before any pod of the new version runs.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionReason, ConditionType } from '../../../operator/src/api/v1alpha1/conditions.js';
import { ContentType, type KubeClient } from '../../../operator/src/kube/kube-client.js';
import type { KubeObject } from '../../../operator/src/kube/kube-object.js';
import { Resources, resourcePath } from '../../../operator/src/kube/resources.js';
import { migrationJobName } from '../../../operator/src/specs/migration.specs.js';
import { KWOK_NODE_NAME } from '../../support/control-plane.js';
import { installCloudNativePGCrds } from '../../support/cloudnative-pg.js';
import {
  applyMyRAGDB,
  condition,
  createVolumes,
  deleteAndWait,
  eventually,
  getMyRAGDB,
  listChildren,
  operatorSuite,
  runOperator,
  TEST_MANAGER,
  waitForCondition,
} from './operator-harness.js';

type Deployment = KubeObject & {
  spec: {
    template: { spec: { containers: { image: string; env?: { name: string; valueFrom?: unknown }[] }[] } };
    strategy?: { rollingUpdate?: { maxUnavailable?: number } };
  };
};

const cnpgPath = (kind: 'CloudNativePGCluster' | 'CloudNativePGScheduledBackup', ns: string, name?: string) =>
  resourcePath(Resources[kind], ns, name);

describe('operator data safety (real API server)', function () {
  this.timeout(180_000);
  const suite = operatorSuite();
  let client: KubeClient;
  before(() => (client = suite.client));

  describe('PostgreSQL on CloudNativePG', () => {
    let ns: string;
    const name = 'ha';
    const spec = {
      stores: {
        postgres: {
          cloudNativePG: {
            instances: 3,
            storage: { size: '20Gi' },
            affinity: { podAntiAffinityType: 'required' },
            backup: {
              schedule: '0 1 * * *',
              barmanObjectStore: {
                destinationPath: 's3://myragdb-backups/ha',
                endpointURL: 'https://minio.example.com',
                secretRef: { name: 'backup-s3' },
              },
            },
          },
        },
      },
    };
    let crds: string[] = [];

    before(async () => {
      ns = await suite.namespace('cnpg');
      await createVolumes(client, 2);
      suite.track(await runOperator(suite.cp.kubeConfig, ns));
    });
    after(async () => {
      for (const crd of crds) await client.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
    });

    it('without CloudNativePG installed: Stalled with a clear reason, and everything else still reconciled', async () => {
      await applyMyRAGDB(client, ns, { metadata: { name }, spec });
      const stalled = await waitForCondition(client, ns, name, ConditionType.Stalled, 'True');
      assert.equal(condition(stalled, ConditionType.Stalled)?.reason, ConditionReason.CloudNativePGNotInstalled);
      assert.match(
        condition(stalled, ConditionType.Stalled)!.message,
        /does not serve postgresql\.cnpg\.io\/v1 Cluster and ScheduledBackup: install the CloudNativePG operator/,
      );
      assert.equal(stalled.status?.components?.postgres?.message, 'CloudNativePG is not installed');
      await eventually(
        async () => (await listChildren(client, 'Deployment', ns, `app.kubernetes.io/instance=${name}`)).length === 3,
        'the services',
      );
    });

    it('once its CRDs exist: a Cluster and ScheduledBackup that CloudNativePG’s schema accepts, services wired to it', async () => {
      crds = await installCloudNativePGCrds(client, TEST_MANAGER);
      const cluster = await eventually(
        () =>
          client.find<KubeObject & { spec: Record<string, unknown> }>(
            cnpgPath('CloudNativePGCluster', ns, `${name}-postgres`),
          ),
        'the Cluster',
        90_000,
      );
      assert.equal(cluster.spec.instances, 3);
      assert.deepEqual(cluster.spec.bootstrap, { initdb: { database: 'myragdb', owner: 'myragdb' } });
      assert.equal((cluster.spec.affinity as { podAntiAffinityType: string }).podAntiAffinityType, 'required');
      // Defaults from CloudNativePG's own schema were applied: the object went through its real validation.
      assert.equal(cluster.spec.primaryUpdateStrategy, 'unsupervised');
      const scheduled = await eventually(
        () =>
          client.find<KubeObject & { spec: Record<string, unknown> }>(
            cnpgPath('CloudNativePGScheduledBackup', ns, `${name}-postgres-backup`),
          ),
        'the ScheduledBackup',
      );
      assert.equal(scheduled.spec.schedule, '0 0 1 * * *');
      assert.equal(scheduled.spec.method, 'barmanObjectStore');
      assert.equal(
        (
          await listChildren(
            client,
            'StatefulSet',
            ns,
            `app.kubernetes.io/instance=${name},app.kubernetes.io/component=postgres`,
          )
        ).length,
        0,
      );
      const config = await client.get<{ data: Record<string, string> }>(
        resourcePath(Resources.ConfigMap, ns, `${name}-config`),
      );
      assert.equal(config.data.DATABASE_URL, 'postgres://myragdb@ha-postgres-rw:5432/myragdb');
      const gateway = await client.get<Deployment>(resourcePath(Resources.Deployment, ns, `${name}-search-gateway`));
      assert.deepEqual(
        gateway.spec.template.spec.containers[0]!.env!.find((variable) => variable.name === 'PGPASSWORD')?.valueFrom,
        { secretKeyRef: { name: 'ha-postgres-app', key: 'password' } },
      );
      // The next reconcile observes the Cluster, not yet reported on by CloudNativePG.
      const waiting = await eventually(async () => {
        const resource = await getMyRAGDB(client, ns, name);
        return /postgres \(no phase reported yet/.test(condition(resource, ConditionType.StoresReady)?.message ?? '')
          ? resource
          : undefined;
      }, 'the Cluster reported as not ready yet');
      assert.equal(condition(waiting, ConditionType.Stalled)?.status, 'False');
      assert.equal(condition(waiting, ConditionType.Ready)?.status, 'False');
    });

    it('the Cluster’s readiness and last successful backup, as CloudNativePG reports them, land in status', async () => {
      const lastSuccessfulBackup = '2026-12-03T01:00:07Z';
      await client.request({
        method: 'PATCH',
        path: `${cnpgPath('CloudNativePGCluster', ns, `${name}-postgres`)}/status`,
        body: {
          status: {
            phase: 'Cluster in healthy state',
            instances: 3,
            readyInstances: 3,
            lastSuccessfulBackup,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ClusterIsReady',
                message: 'Cluster is Ready',
                lastTransitionTime: '2026-12-03T00:59:00Z',
              },
            ],
          },
        },
        contentType: ContentType.mergePatch,
      });
      const ready = await waitForCondition(client, ns, name, ConditionType.Ready, 'True');
      assert.deepEqual(ready.status?.components?.postgres, {
        ready: true,
        replicas: 3,
        readyReplicas: 3,
        message: 'Cluster in healthy state (3/3 instances ready)',
      });
      assert.deepEqual(ready.status?.backup, { method: 'barmanObjectStore', lastSuccessfulTime: lastSuccessfulBackup });
    });

    it('Retain: deleting the MyRAGDB leaves the Cluster (and so the data) in place, unowned', async () => {
      await deleteAndWait(client, ns, name);
      await sleep(2000);
      const cluster = await client.find<KubeObject>(cnpgPath('CloudNativePGCluster', ns, `${name}-postgres`));
      assert.ok(cluster, 'the Cluster was deleted');
      assert.equal(cluster.metadata.ownerReferences, undefined);
    });
  });

  describe('pg_dump backups of the managed Postgres', () => {
    it('a CronJob and a backup volume that the API server accepts; the CronJob’s last success lands in status', async () => {
      const ns = await suite.namespace('dump');
      await createVolumes(client, 4);
      suite.track(await runOperator(suite.cp.kubeConfig, ns));
      await applyMyRAGDB(client, ns, {
        metadata: { name: 'docs' },
        spec: {
          stores: {
            postgres: { managed: { backup: { schedule: '0 2 * * *', retentionDays: 5, volume: { size: '8Gi' } } } },
          },
        },
      });
      const cronJob = await eventually(
        () =>
          client.find<KubeObject & { spec: { schedule: string } }>(
            resourcePath(Resources.CronJob, ns, 'docs-postgres-backup'),
          ),
        'the backup CronJob',
      );
      assert.equal(cronJob.spec.schedule, '0 2 * * *');
      const claim = await client.get<KubeObject & { spec: { resources: { requests: { storage: string } } } }>(
        resourcePath(Resources.PersistentVolumeClaim, ns, 'docs-postgres-backups'),
      );
      assert.equal(claim.spec.resources.requests.storage, '8Gi');
      await waitForCondition(client, ns, 'docs', ConditionType.Ready, 'True', 120_000);
      // What the CronJob controller records after a successful run.
      await client.request({
        method: 'PATCH',
        path: `${resourcePath(Resources.CronJob, ns, 'docs-postgres-backup')}/status`,
        body: { status: { lastScheduleTime: '2026-12-03T02:00:00Z', lastSuccessfulTime: '2026-12-03T02:00:41Z' } },
        contentType: ContentType.mergePatch,
      });
      // Reported on the next resync or reconcile: a spec edit triggers one.
      await applyMyRAGDB(client, ns, {
        metadata: { name: 'docs' },
        spec: {
          stores: {
            postgres: { managed: { backup: { schedule: '0 3 * * *', retentionDays: 5, volume: { size: '8Gi' } } } },
          },
        },
      });
      const recorded = await eventually(async () => {
        const resource = await getMyRAGDB(client, ns, 'docs');
        return resource?.status?.backup?.lastSuccessfulTime ? resource : undefined;
      }, 'status.backup');
      assert.deepEqual(recorded.status?.backup, { method: 'pg_dump', lastSuccessfulTime: '2026-12-03T02:00:41Z' });
    });
  });

  describe('upgrades', () => {
    let ns: string;
    const name = 'up';
    const cordon = (unschedulable: boolean) =>
      client.request({
        method: 'PATCH',
        path: `/api/v1/nodes/${KWOK_NODE_NAME}`,
        body: { spec: { unschedulable } },
        contentType: ContentType.mergePatch,
      });
    const deployment = (component: string) =>
      client.get<Deployment>(resourcePath(Resources.Deployment, ns, `${name}-${component}`));
    const images = async () =>
      Promise.all(
        ['search-gateway', 'indexer', 'health'].map(
          async (component) => (await deployment(component)).spec.template.spec.containers[0]!.image,
        ),
      );
    const apply = (version: string) => applyMyRAGDB(client, ns, { metadata: { name }, spec: { version } });
    const jobPods = async (job: string) =>
      (await listChildren(client, 'Pod', ns, `batch.kubernetes.io/job-name=${job}`)) as (KubeObject & {
        status?: { phase?: string };
      })[];

    before(async () => {
      ns = await suite.namespace('upgrade');
      await createVolumes(client, 3);
      suite.track(await runOperator(suite.cp.kubeConfig, ns));
      await apply('0.1.0');
      await waitForCondition(client, ns, name, ConditionType.Ready, 'True', 120_000);
    });
    after(() => cordon(false));

    it('a new version migrates first: no service changes while its migration Job runs', async () => {
      // Cordoned, the migration pod cannot start: the Job stays running as long as the test needs.
      await cordon(true);
      await apply('0.2.0');
      const job = migrationJobName({ name }, '0.2.0');
      await eventually(() => client.find(resourcePath(Resources.Job, ns, job)), 'the migration Job');
      const migrating = await eventually(async () => {
        const resource = await getMyRAGDB(client, ns, name);
        return resource?.status?.migration?.result === 'Running' ? resource : undefined;
      }, 'status.migration Running');
      assert.equal(condition(migrating, ConditionType.Reconciling)?.status, 'True');
      assert.match(
        condition(migrating, ConditionType.Ready)!.message,
        /database migrations for version 0\.2\.0 .*version 0\.1\.0 serves/,
      );
      await sleep(3000);
      assert.deepEqual(await images(), Array(3).fill('ghcr.io/myragdb/myragdb:0.1.0'));
      assert.equal((await getMyRAGDB(client, ns, name))?.status?.version, '0.1.0');
    });

    it('a failed migration stops the rollout, says why, and the previous version keeps serving', async () => {
      const job = migrationJobName({ name }, '0.2.0');
      // Each attempt's pod fails the way a migration error would (exit 1, its last log line as termination message).
      await eventually(
        async () => {
          for (const pod of await jobPods(job)) {
            if (pod.status?.phase === 'Failed') continue;
            await client.request({
              method: 'PATCH',
              path: `${resourcePath(Resources.Pod, ns, pod.metadata.name)}/status`,
              body: {
                status: {
                  phase: 'Failed',
                  containerStatuses: [
                    {
                      name: 'indexer',
                      image: 'ghcr.io/myragdb/myragdb:0.2.0',
                      imageID: '',
                      ready: false,
                      restartCount: 0,
                      state: {
                        terminated: {
                          exitCode: 1,
                          reason: 'Error',
                          message: 'error: column "embedding_model" of relation "chunks" already exists',
                          startedAt: '2026-12-03T08:00:00Z',
                          finishedAt: '2026-12-03T08:00:01Z',
                        },
                      },
                    },
                  ],
                },
              },
              contentType: ContentType.mergePatch,
            });
          }
          const resource = await getMyRAGDB(client, ns, name);
          return resource?.status?.migration?.result === 'Failed' ? resource : undefined;
        },
        'the migration to fail',
        120_000,
        500,
      );
      const stalled = await waitForCondition(client, ns, name, ConditionType.Stalled, 'True');
      const reason = condition(stalled, ConditionType.Stalled)!;
      assert.equal(reason.reason, ConditionReason.MigrationFailed);
      assert.match(reason.message, /database migrations for version 0\.2\.0 failed/);
      assert.match(reason.message, /column "embedding_model" of relation "chunks" already exists/);
      assert.match(reason.message, /version 0\.1\.0 keeps serving/);
      assert.equal(stalled.status?.version, '0.1.0');
      assert.deepEqual(await images(), Array(3).fill('ghcr.io/myragdb/myragdb:0.1.0'));
      const gateway = await deployment('search-gateway');
      assert.equal((gateway.status as { availableReplicas?: number }).availableReplicas, 2);
    });

    it('a fixed version migrates exactly once, then the services roll (never before the Job completed), PDB in place', async () => {
      await cordon(false);
      await apply('0.2.1');
      const job = migrationJobName({ name }, '0.2.1');
      const ready = await eventually(
        async () => {
          const resource = await getMyRAGDB(client, ns, name);
          return resource?.status?.version === '0.2.1' && condition(resource, ConditionType.Ready)?.status === 'True'
            ? resource
            : undefined;
        },
        'Ready at 0.2.1',
        120_000,
      );
      assert.deepEqual(ready.status?.migration, { version: '0.2.1', job, result: 'Succeeded' });
      assert.equal(condition(ready, ConditionType.Stalled)?.status, 'False');
      assert.deepEqual(await images(), Array(3).fill('ghcr.io/myragdb/myragdb:0.2.1'));
      const finished = await client.get<KubeObject & { status: { succeeded: number; completionTime: string } }>(
        resourcePath(Resources.Job, ns, job),
      );
      assert.equal(finished.status.succeeded, 1);
      assert.equal((await jobPods(job)).length, 1, 'the migration ran once');
      // The 0.2.1 ReplicaSets were created only after the migration completed.
      const replicaSets = (
        await client.get<{
          items: (KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } })[];
        }>(`/apis/apps/v1/namespaces/${ns}/replicasets`, { labelSelector: `app.kubernetes.io/instance=${name}` })
      ).items.filter((set) => set.spec.template.metadata.labels['app.kubernetes.io/version'] === '0.2.1');
      assert.equal(replicaSets.length, 3);
      for (const set of replicaSets) {
        assert.ok(
          Date.parse(set.metadata.creationTimestamp!) >= Date.parse(finished.status.completionTime),
          `${set.metadata.name} created ${set.metadata.creationTimestamp}, before the migration completed ${finished.status.completionTime}`,
        );
      }
      const gateway = await deployment('search-gateway');
      assert.equal(gateway.spec.strategy?.rollingUpdate?.maxUnavailable, 0);
      const budgets = await listChildren(client, 'PodDisruptionBudget', ns, `app.kubernetes.io/instance=${name}`);
      assert.equal(budgets.length, 1);
      // Settled: no further migration Jobs.
      await sleep(2000);
      const jobs = await listChildren(client, 'Job', ns, `app.kubernetes.io/component=migration`);
      assert.deepEqual(
        jobs.map((entry) => entry.metadata.name).sort(),
        [migrationJobName({ name }, '0.2.0'), job].sort(),
      );
    });
  });
});
