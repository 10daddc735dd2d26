/**
 * Pure status pieces of the data-safety features: the CloudNativePG Cluster as the postgres component, the last
 * successful (or failed) backup, the migration of a new version, and the version the services run now.
 */
import { BackupMethod, ConditionReason, MigrationResult } from '../api/v1alpha1/conditions.js';
import type { MyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { BackupStatus, ComponentStatus, MigrationStatus, MyRAGDBStatus } from '../api/v1alpha1/myragdb.types.js';
import type { KubeObject } from '../kube/kube-object.js';
import { BACKUP_COMPONENT, BackupNames } from '../specs/backup.specs.js';
import { SERVICE_COMPONENTS } from '../specs/components.js';
import { migrationJobName } from '../specs/migration.specs.js';
import { childName, Labels } from '../specs/names.js';
import type { Problem } from './myragdb.status.js';
import type { Observation } from './observe.js';

type Condition = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string };
type Observed = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** CloudNativePG's phase when every instance is up (`status.phase`). */
export const CNPG_HEALTHY_PHASE = 'Cluster in healthy state';

/** The Cluster as the postgres component: ready when CloudNativePG says so (Ready condition, or healthy phase). */
export function cloudNativePGStatus(cluster: Observed | undefined): ComponentStatus {
  if (!cluster) return { ready: false, message: 'Cluster not created yet' };
  const status = (cluster.status ?? {}) as {
    phase?: string;
    instances?: number;
    readyInstances?: number;
    conditions?: Condition[];
  };
  const desired = (cluster.spec?.instances as number | undefined) ?? 1;
  const readyInstances = status.readyInstances ?? 0;
  const readyCondition = status.conditions?.find((condition) => condition.type === 'Ready');
  const ready =
    readyCondition !== undefined
      ? readyCondition.status === 'True'
      : status.phase === CNPG_HEALTHY_PHASE && readyInstances >= desired;
  return {
    ready,
    replicas: status.instances ?? 0,
    readyReplicas: readyInstances,
    message: `${status.phase ?? 'no phase reported yet'} (${readyInstances}/${desired} instances ready)`,
  };
}

type JobObject = Observed & {
  status?: { succeeded?: number; completionTime?: string; startTime?: string; conditions?: Condition[] };
};

function finished(job: JobObject, type: 'Complete' | 'Failed'): Condition | undefined {
  return job.status?.conditions?.find((condition) => condition.type === type && condition.status === 'True');
}

/** The last lines a failed container left (terminationMessagePolicy FallbackToLogsOnError), for status. */
function terminationMessages(pods: Observed[], jobName: string): string[] {
  return pods
    .filter((pod) => pod.metadata.labels?.['batch.kubernetes.io/job-name'] === jobName)
    .flatMap((pod) => {
      const statuses = (pod.status?.containerStatuses ?? []) as {
        state?: { terminated?: { exitCode?: number; message?: string; reason?: string } };
      }[];
      return statuses.flatMap((container) => {
        const terminated = container.state?.terminated;
        if (!terminated || terminated.exitCode === 0) return [];
        return [(terminated.message ?? terminated.reason ?? `exit code ${terminated.exitCode}`).trim()];
      });
    });
}

/** How the migrations of `version` went, from its Job and pods; what status recorded once the Job is gone. */
export function migrationOutcome(
  version: string,
  jobName: string,
  job: JobObject | undefined,
  pods: Observed[],
  previous: MigrationStatus | undefined,
): MigrationStatus | undefined {
  if (!job) return previous?.version === version ? previous : undefined;
  if (finished(job, 'Complete')) return { version, job: jobName, result: MigrationResult.Succeeded };
  const failed = finished(job, 'Failed');
  if (failed) {
    const logs = terminationMessages(pods, jobName).at(-1);
    const message = [failed.message ?? failed.reason ?? 'the migration Job failed', logs].filter(Boolean).join(': ');
    return { version, job: jobName, result: MigrationResult.Failed, message };
  }
  return { version, job: jobName, result: MigrationResult.Running };
}

/** The version label of the services' pod template: what runs now (the gateway first, any service else). */
export function runningVersion(deployments: Iterable<Observed>): string | undefined {
  for (const deployment of deployments) {
    const template = (deployment.spec?.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
    const version = template.metadata?.labels?.[Labels.version];
    if (version) return version;
  }
  return undefined;
}

/**
 * The backup status: CloudNativePG's `lastSuccessfulBackup`/`lastFailedBackup`, or for pg_dump the CronJob's
 * `lastSuccessfulTime` and a failed backup Job newer than it. Undefined when no backups are configured.
 */
export function backupStatus(
  spec: MyRAGDBSpec,
  observed: { cluster?: Observed; cronJob?: Observed; jobs: Iterable<JobObject>; pods: Observed[] },
): BackupStatus | undefined {
  const cnpg = spec.stores.postgres.cloudNativePG;
  if (cnpg?.backup) {
    const status = (observed.cluster?.status ?? {}) as { lastSuccessfulBackup?: string; lastFailedBackup?: string };
    const failedLater =
      status.lastFailedBackup !== undefined &&
      (status.lastSuccessfulBackup === undefined || status.lastFailedBackup > status.lastSuccessfulBackup);
    return {
      method: cnpg.backup.volumeSnapshot ? BackupMethod.VolumeSnapshot : BackupMethod.BarmanObjectStore,
      ...(status.lastSuccessfulBackup ? { lastSuccessfulTime: status.lastSuccessfulBackup } : {}),
      ...(failedLater ? { lastFailureMessage: `CloudNativePG backup failed at ${status.lastFailedBackup}` } : {}),
    };
  }
  if (!spec.stores.postgres.managed?.backup) return undefined;
  const lastSuccessfulTime = (observed.cronJob?.status as { lastSuccessfulTime?: string } | undefined)
    ?.lastSuccessfulTime;
  const failures = [...observed.jobs]
    .filter((job) => job.metadata.labels?.[Labels.component] === BACKUP_COMPONENT)
    .map((job) => ({ job, failed: finished(job, 'Failed') }))
    .filter(
      ({ failed }) =>
        failed?.lastTransitionTime !== undefined &&
        (lastSuccessfulTime === undefined || failed.lastTransitionTime > lastSuccessfulTime),
    )
    .sort((a, b) => (a.failed!.lastTransitionTime! < b.failed!.lastTransitionTime! ? -1 : 1));
  const latest = failures.at(-1);
  const logs = latest ? terminationMessages(observed.pods, latest.job.metadata.name).at(-1) : undefined;
  return {
    method: BackupMethod.LogicalDump,
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    ...(latest
      ? {
          lastFailureMessage: [`backup Job ${latest.job.metadata.name} failed`, latest.failed!.message, logs]
            .filter(Boolean)
            .join(': '),
        }
      : {}),
  };
}

export interface DataSafetyFacts {
  runningVersion?: string;
  migration?: MigrationStatus;
  backup?: BackupStatus;
  /** The postgres component when CloudNativePG runs it. */
  postgres?: ComponentStatus;
  problems: Problem[];
  waiting: string[];
  /** Leave CloudNativePG's kinds out of the desired state: the API server does not serve them. */
  skipCloudNativePG: boolean;
}

/** Everything the data-safety features add to one reconcile, from the spec and the observation. Pure. */
export function dataSafetyFacts(
  spec: MyRAGDBSpec,
  owner: { name: string },
  observation: Observation,
  previous: MyRAGDBStatus | undefined,
): DataSafetyFacts {
  const problems: Problem[] = [];
  const waiting: string[] = [];
  const running = runningVersion(
    SERVICE_COMPONENTS.flatMap((component) => observation.deployments.get(childName(owner, component)) ?? []),
  );
  const jobName = migrationJobName(owner, spec.version);
  const migration = migrationOutcome(
    spec.version,
    jobName,
    observation.jobs.get(jobName),
    observation.pods,
    previous?.migration,
  );
  const upgrading = running !== undefined && running !== spec.version;
  if (upgrading && migration?.result === MigrationResult.Failed) {
    problems.push({
      reason: ConditionReason.MigrationFailed,
      message:
        `database migrations for version ${spec.version} failed (${migration.message ?? 'no message'}); ` +
        `version ${running} keeps serving. Fix the cause and delete Job ${jobName} to retry, or set spec.version back`,
      permanent: true,
    });
  } else if (upgrading && migration?.result !== MigrationResult.Succeeded) {
    waiting.push(`database migrations for version ${spec.version} (Job ${jobName}); version ${running} serves`);
  }

  let postgres: ComponentStatus | undefined;
  let skipCloudNativePG = false;
  if (spec.stores.postgres.cloudNativePG) {
    if (observation.cloudNativePG?.installed === false) {
      skipCloudNativePG = true;
      postgres = { ready: false, message: 'CloudNativePG is not installed' };
      problems.push({
        reason: ConditionReason.CloudNativePGNotInstalled,
        message:
          'stores.postgres.cloudNativePG needs CloudNativePG, but the API server does not serve ' +
          'postgresql.cnpg.io/v1 Cluster and ScheduledBackup: install the CloudNativePG operator, ' +
          'or use stores.postgres.managed or external',
        permanent: true,
      });
    } else {
      postgres = cloudNativePGStatus(observation.cloudNativePG?.cluster);
    }
  }

  const backup = backupStatus(spec, {
    ...(observation.cloudNativePG?.cluster ? { cluster: observation.cloudNativePG.cluster } : {}),
    ...(observation.cronJobs.get(BackupNames.cronJob(owner))
      ? { cronJob: observation.cronJobs.get(BackupNames.cronJob(owner))! }
      : {}),
    jobs: observation.jobs.values(),
    pods: observation.pods,
  });
  if (backup?.lastFailureMessage) {
    problems.push({ reason: ConditionReason.BackupFailed, message: backup.lastFailureMessage });
  }
  return {
    ...(running ? { runningVersion: running } : {}),
    ...(migration ? { migration } : {}),
    ...(backup ? { backup } : {}),
    ...(postgres ? { postgres } : {}),
    problems,
    waiting,
    skipCloudNativePG,
  };
}
