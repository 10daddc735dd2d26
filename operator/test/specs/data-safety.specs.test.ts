import assert from 'node:assert/strict';
import type { V1Container, V1CronJob, V1Deployment, V1Job, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { BackupMethod, ConditionReason, MigrationResult } from '../../src/api/v1alpha1/conditions.js';
import {
  backupStatus,
  cloudNativePGStatus,
  dataSafetyFacts,
  migrationOutcome,
} from '../../src/controller/data-safety.status.js';
import type { Observation } from '../../src/controller/observe.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { resourceForObject } from '../../src/kube/resources.js';
import { LOGICAL_BACKUP_SCRIPT } from '../../src/specs/backup.specs.js';
import { buildConfigData, buildSecretEnv } from '../../src/specs/config.specs.js';
import { MIGRATE_COMMAND } from '../../src/specs/components.js';
import { buildDesiredState } from '../../src/specs/desired-state.js';
import { migrationJobName } from '../../src/specs/migration.specs.js';
import { contextFor, owner } from './fixtures.js';

const find = <T>(objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  assert.ok(found, `${kind}/${name} missing from ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as unknown as T & KubeObject;
};
const image = (deployment: V1Deployment) => deployment.spec!.template.spec!.containers[0]!.image;

const cnpg = {
  stores: {
    postgres: {
      cloudNativePG: {
        instances: 3,
        storage: { size: '50Gi', storageClassName: 'fast' },
        affinity: { podAntiAffinityType: 'required', nodeSelector: { pool: 'db' } },
        backup: {
          schedule: '30 1 * * *',
          barmanObjectStore: {
            destinationPath: 's3://backups/docs',
            endpointURL: 'https://s3.example.com',
            secretRef: { name: 's3' },
          },
        },
      },
    },
  },
};

describe('operator specs: data safety', () => {
  it('cloudNativePG: a Cluster and a ScheduledBackup instead of the StatefulSet, the services on its -rw Service and app Secret', () => {
    const context = contextFor(cnpg);
    const objects = buildDesiredState(context);
    assert.ok(!objects.some((object) => object.kind === 'StatefulSet' && object.metadata.name === 'docs-postgres'));
    assert.ok(!objects.some((object) => object.metadata.name === 'docs-postgres-credentials'));
    const cluster = find<{ spec: Record<string, unknown> }>(objects, 'Cluster', 'docs-postgres');
    assert.equal(cluster.apiVersion, 'postgresql.cnpg.io/v1');
    assert.equal(resourceForObject(cluster).plural, 'clusters');
    assert.equal(cluster.spec.instances, 3);
    assert.deepEqual(cluster.spec.storage, { size: '50Gi', storageClass: 'fast' });
    assert.deepEqual(cluster.spec.bootstrap, { initdb: { database: 'myragdb', owner: 'myragdb' } });
    assert.deepEqual(cluster.spec.affinity, {
      enablePodAntiAffinity: true,
      topologyKey: 'kubernetes.io/hostname',
      podAntiAffinityType: 'required',
      nodeSelector: { pool: 'db' },
    });
    assert.deepEqual(cluster.spec.backup, {
      retentionPolicy: '30d',
      barmanObjectStore: {
        destinationPath: 's3://backups/docs',
        endpointURL: 'https://s3.example.com',
        s3Credentials: {
          accessKeyId: { name: 's3', key: 'access-key-id' },
          secretAccessKey: { name: 's3', key: 'secret-access-key' },
        },
        wal: { compression: 'gzip' },
        data: { compression: 'gzip' },
      },
    });
    const scheduled = find<{ spec: Record<string, unknown> }>(objects, 'ScheduledBackup', 'docs-postgres-backup');
    assert.deepEqual(scheduled.spec, {
      cluster: { name: 'docs-postgres' },
      schedule: '0 30 1 * * *',
      method: 'barmanObjectStore',
      backupOwnerReference: 'none',
      immediate: true,
    });
    assert.equal(buildConfigData(context).DATABASE_URL, 'postgres://myragdb@docs-postgres-rw:5432/myragdb');
    assert.deepEqual(
      buildSecretEnv(context).find((variable) => variable.name === 'PGPASSWORD'),
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'docs-postgres-app', key: 'password' } } },
    );
    const snapshots = buildDesiredState(
      contextFor({ stores: { postgres: { cloudNativePG: { backup: { volumeSnapshot: { className: 'csi' } } } } } }),
    );
    assert.deepEqual(find<{ spec: Record<string, unknown> }>(snapshots, 'Cluster', 'docs-postgres').spec.backup, {
      volumeSnapshot: { className: 'csi' },
    });
    assert.equal(
      find<{ spec: Record<string, unknown> }>(snapshots, 'ScheduledBackup', 'docs-postgres-backup').spec.method,
      'volumeSnapshot',
    );
  });

  it('the spec parser rejects two postgres modes and a backup with two or no targets', () => {
    const problem = (spec: unknown) => {
      try {
        contextFor(spec);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    assert.match(
      problem({ stores: { postgres: { managed: {}, cloudNativePG: {} } } }),
      /spec\.stores\.postgres: set exactly one of managed, external or cloudNativePG/,
    );
    assert.match(
      problem({ stores: { postgres: { managed: { backup: {} } } } }),
      /spec\.stores\.postgres\.managed\.backup: set exactly one of volume or s3/,
    );
    assert.match(
      problem({ stores: { postgres: { cloudNativePG: { backup: {} } } } }),
      /set exactly one of barmanObjectStore or volumeSnapshot/,
    );
    assert.match(
      problem({ stores: { postgres: { managed: { backup: { schedule: '0 25 * * *', volume: {} } } } } }),
      /backup\.schedule: invalid cron schedule: hour must be within 0-23/,
    );
  });

  it('pg_dump backups to a volume: a claim of their own and a CronJob that dumps and prunes there', () => {
    const objects = buildDesiredState(
      contextFor({
        stores: {
          postgres: { managed: { backup: { schedule: '15 3 * * *', retentionDays: 3, volume: { size: '5Gi' } } } },
        },
      }),
    );
    const claim = find<V1PersistentVolumeClaim>(objects, 'PersistentVolumeClaim', 'docs-postgres-backups');
    assert.equal(claim.spec!.resources!.requests!.storage, '5Gi');
    const cronJob = find<V1CronJob>(objects, 'CronJob', 'docs-postgres-backup');
    assert.equal(cronJob.spec!.schedule, '15 3 * * *');
    assert.equal(cronJob.spec!.concurrencyPolicy, 'Forbid');
    const pod = cronJob.spec!.jobTemplate.spec!.template.spec!;
    const dump = pod.containers[0]!;
    assert.equal(dump.image, 'docker.io/library/postgres:16.4');
    assert.deepEqual(dump.command, ['sh', '-c', LOGICAL_BACKUP_SCRIPT]);
    const env = Object.fromEntries(dump.env!.map((variable) => [variable.name, variable.value ?? variable.valueFrom]));
    assert.equal(env.PGHOST, 'docs-postgres');
    assert.equal(env.RETENTION_DAYS, '3');
    assert.deepEqual(env.PGPASSWORD, { secretKeyRef: { name: 'docs-postgres-credentials', key: 'password' } });
    assert.deepEqual(pod.volumes![0], {
      name: 'backups',
      persistentVolumeClaim: { claimName: 'docs-postgres-backups' },
    });
    assert.equal(pod.securityContext!.runAsNonRoot, true);
    assert.equal(dump.securityContext!.readOnlyRootFilesystem, true);
  });

  it('pg_dump backups to S3: the dump in an init container, uploaded and pruned in the bucket by mc', () => {
    const objects = buildDesiredState(
      contextFor({
        stores: {
          postgres: {
            managed: {
              backup: {
                s3: {
                  endpoint: 'https://minio.example.com',
                  bucket: 'dumps',
                  prefix: 'docs',
                  secretRef: { name: 's3' },
                },
              },
            },
          },
        },
      }),
    );
    assert.ok(!objects.some((object) => object.kind === 'PersistentVolumeClaim'));
    const pod = find<V1CronJob>(objects, 'CronJob', 'docs-postgres-backup').spec!.jobTemplate.spec!.template.spec!;
    assert.equal(pod.initContainers![0]!.name, 'pg-dump');
    assert.ok(!pod.initContainers![0]!.env!.some((variable) => variable.name === 'RETENTION_DAYS'));
    const upload = pod.containers[0] as V1Container;
    const env = Object.fromEntries(
      upload.env!.map((variable) => [variable.name, variable.value ?? variable.valueFrom]),
    );
    assert.equal(env.S3_PREFIX, 'docs/');
    assert.equal(env.RETENTION_DAYS, '7');
    assert.deepEqual(env.S3_SECRET_ACCESS_KEY, { secretKeyRef: { name: 's3', key: 'secret-access-key' } });
    assert.deepEqual(pod.volumes![0], { name: 'backups', emptyDir: {} });
  });

  it('a new version: migration Job at the new version first, services stay on the running one until it succeeded', () => {
    const deployment = (objects: KubeObject[], name: string) => find<V1Deployment>(objects, 'Deployment', name);
    const first = buildDesiredState(contextFor({ version: '0.2.0' }));
    assert.ok(!first.some((object) => object.kind === 'Job'), 'a first install needs no migration Job');
    assert.equal(image(deployment(first, 'docs-search-gateway')), 'ghcr.io/myragdb/myragdb:0.2.0');

    const upgrading = buildDesiredState(contextFor({ version: '0.2.0' }, { runningVersion: '0.1.0' }));
    const job = find<V1Job>(upgrading, 'Job', migrationJobName(owner, '0.2.0'));
    const container = job.spec!.template.spec!.containers[0]!;
    assert.equal(container.image, 'ghcr.io/myragdb/myragdb:0.2.0');
    assert.deepEqual(container.command, MIGRATE_COMMAND);
    assert.equal(container.terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.ok(
      upgrading.indexOf(job) < upgrading.indexOf(deployment(upgrading, 'docs-search-gateway')),
      'the Job is applied before the Deployments',
    );
    for (const name of ['docs-search-gateway', 'docs-indexer', 'docs-health']) {
      assert.equal(image(deployment(upgrading, name)), 'ghcr.io/myragdb/myragdb:0.1.0', name);
    }
    const failed = buildDesiredState(
      contextFor(
        { version: '0.2.0' },
        { runningVersion: '0.1.0', migration: { version: '0.2.0', result: MigrationResult.Failed } },
      ),
    );
    assert.equal(image(deployment(failed, 'docs-search-gateway')), 'ghcr.io/myragdb/myragdb:0.1.0');

    const migrated = buildDesiredState(
      contextFor(
        { version: '0.2.0' },
        { runningVersion: '0.1.0', migration: { version: '0.2.0', result: MigrationResult.Succeeded } },
      ),
    );
    assert.ok(!migrated.some((object) => object.kind === 'Job'));
    assert.equal(image(deployment(migrated, 'docs-search-gateway')), 'ghcr.io/myragdb/myragdb:0.2.0');
    assert.equal(
      deployment(migrated, 'docs-search-gateway').spec!.template.metadata!.labels!['app.kubernetes.io/version'],
      '0.2.0',
    );
  });
});

describe('operator status: data safety', () => {
  const job = (
    name: string,
    conditions: { type: string; status: string; message?: string; lastTransitionTime?: string }[],
    labels = {},
  ) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    status: { conditions },
  });
  const failedPod = (jobName: string, message: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${jobName}-x`, labels: { 'batch.kubernetes.io/job-name': jobName } },
    status: { containerStatuses: [{ state: { terminated: { exitCode: 1, message } } }] },
  });

  it('a migration Job’s outcome, with the failed container’s last words', () => {
    assert.equal(migrationOutcome('0.2.0', 'm', undefined, [], undefined), undefined);
    assert.equal(migrationOutcome('0.2.0', 'm', job('m', []), [], undefined)?.result, 'Running');
    assert.equal(
      migrationOutcome('0.2.0', 'm', job('m', [{ type: 'Complete', status: 'True' }]), [], undefined)?.result,
      'Succeeded',
    );
    const failed = migrationOutcome(
      '0.2.0',
      'm',
      job('m', [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }]),
      [failedPod('m', 'error: relation "chunks" does not exist\n')],
      undefined,
    );
    assert.deepEqual(failed, {
      version: '0.2.0',
      job: 'm',
      result: 'Failed',
      message: 'Job has reached the specified backoff limit: error: relation "chunks" does not exist',
    });
    assert.deepEqual(migrationOutcome('0.2.0', 'm', undefined, [], failed), failed, 'kept after the Job expired');
  });

  it('the CloudNativePG Cluster as the postgres component', () => {
    const cluster = (status: Record<string, unknown>) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'docs-postgres' },
      spec: { instances: 3 },
      status,
    });
    assert.equal(cloudNativePGStatus(undefined).ready, false);
    const healthy = cloudNativePGStatus(
      cluster({
        phase: 'Cluster in healthy state',
        instances: 3,
        readyInstances: 3,
        conditions: [{ type: 'Ready', status: 'True' }],
      }),
    );
    assert.deepEqual(healthy, {
      ready: true,
      replicas: 3,
      readyReplicas: 3,
      message: 'Cluster in healthy state (3/3 instances ready)',
    });
    assert.equal(
      cloudNativePGStatus(
        cluster({ phase: 'Setting up primary', readyInstances: 0, conditions: [{ type: 'Ready', status: 'False' }] }),
      ).ready,
      false,
    );
  });

  it('backups: CloudNativePG’s last successful backup; for pg_dump the CronJob’s, and a later failure', () => {
    const cnpgSpec = contextFor(cnpg).spec;
    assert.deepEqual(
      backupStatus(cnpgSpec, {
        cluster: {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          metadata: { name: 'docs-postgres' },
          status: { lastSuccessfulBackup: '2026-12-03T01:30:12Z' },
        },
        jobs: [],
        pods: [],
      }),
      { method: BackupMethod.BarmanObjectStore, lastSuccessfulTime: '2026-12-03T01:30:12Z' },
    );
    const dumpSpec = contextFor({ stores: { postgres: { managed: { backup: { volume: {} } } } } }).spec;
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'docs-postgres-backup' },
      status: { lastSuccessfulTime: '2026-12-02T02:00:30Z' },
    };
    const labels = { 'app.kubernetes.io/component': 'postgres-backup' };
    const older = job('b1', [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-12-01T02:00:30Z' }], labels);
    assert.deepEqual(backupStatus(dumpSpec, { cronJob, jobs: [older], pods: [] }), {
      method: 'pg_dump',
      lastSuccessfulTime: '2026-12-02T02:00:30Z',
    });
    const newer = job(
      'b2',
      [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded', lastTransitionTime: '2026-12-03T02:00:30Z' }],
      labels,
    );
    assert.equal(
      backupStatus(dumpSpec, {
        cronJob,
        jobs: [older, newer],
        pods: [failedPod('b2', 'pg_dump: error: connection refused')],
      })?.lastFailureMessage,
      'backup Job b2 failed: BackoffLimitExceeded: pg_dump: error: connection refused',
    );
    assert.equal(backupStatus(contextFor({}).spec, { jobs: [], pods: [] }), undefined);
  });

  it('facts: missing CloudNativePG stalls with a clear message; an upgrade waits for, or stalls on, its migration', () => {
    const observation = (overrides: Partial<Observation>): Observation => ({
      deployments: new Map(),
      statefulSets: new Map(),
      jobs: new Map(),
      cronJobs: new Map(),
      pods: [],
      claims: [],
      generatedSecretData: new Map(),
      referencedSecretData: new Map(),
      missingSecrets: [],
      ...overrides,
    });
    const missing = dataSafetyFacts(
      contextFor(cnpg).spec,
      owner,
      observation({ cloudNativePG: { installed: false } }),
      undefined,
    );
    assert.equal(missing.skipCloudNativePG, true);
    assert.equal(missing.problems[0]?.reason, ConditionReason.CloudNativePGNotInstalled);
    assert.equal(missing.problems[0]?.permanent, true);
    assert.match(missing.problems[0].message, /install the CloudNativePG operator/);

    const gateway = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'docs-search-gateway' },
      spec: { template: { metadata: { labels: { 'app.kubernetes.io/version': '0.1.0' } } } },
    };
    const spec = contextFor({ version: '0.2.0' }).spec;
    const name = migrationJobName(owner, '0.2.0');
    const running = dataSafetyFacts(
      spec,
      owner,
      observation({ deployments: new Map([[gateway.metadata.name, gateway]]) }),
      undefined,
    );
    assert.equal(running.runningVersion, '0.1.0');
    assert.match(running.waiting[0]!, /database migrations for version 0\.2\.0 .*; version 0\.1\.0 serves/);
    const failed = dataSafetyFacts(
      spec,
      owner,
      observation({
        deployments: new Map([[gateway.metadata.name, gateway]]),
        jobs: new Map([[name, job(name, [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }])]]),
      }),
      undefined,
    );
    assert.equal(failed.problems[0]?.reason, ConditionReason.MigrationFailed);
    assert.equal(failed.problems[0]?.permanent, true);
    assert.match(failed.problems[0].message, /version 0\.1\.0 keeps serving/);
    assert.deepEqual(failed.waiting, []);
  });
});
