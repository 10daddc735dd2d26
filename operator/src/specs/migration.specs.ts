/**
 * Upgrades: a new `spec.version` first runs the database migrations of that version in a Job
 * (`myragdb db migrate`, advisory-locked and transactional), and only once it succeeded do the services roll to it.
 * Until then, and for good if the migration fails, the services keep running the version they run now.
 * Pure: which version serves and whether the Job is wanted follow from the spec and what was observed.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { BuildContext, Desired } from './build-context.js';
import { MIGRATE_COMMAND, ServiceComponent } from './components.js';
import { stableHash } from './hash.js';
import { childMetadata, Labels, Names } from './names.js';
import { migrationPending } from './rollout.js';
import { buildServicePodTemplate } from './services.specs.js';

export const MIGRATION_COMPONENT = 'migration';
const FINISHED_JOB_TTL_SECONDS = 7 * 86_400;

export function migrationJobName(owner: { name: string }, version: string): string {
  return Names.migrationJob(owner, stableHash(version, 10));
}

export function buildMigrationJob(context: BuildContext): Desired<V1Job>[] {
  const { owner, spec } = context;
  if (!migrationPending(context)) return [];
  const labels = { [Labels.component]: MIGRATION_COMPONENT };
  const template = buildServicePodTemplate(context, ServiceComponent.Indexer, {
    command: MIGRATE_COMMAND,
    probes: false,
    version: spec.version,
    extraLabels: labels,
  });
  const container = { ...template.spec!.containers[0]!, terminationMessagePolicy: 'FallbackToLogsOnError' };
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...childMetadata(owner, migrationJobName(owner, spec.version), MIGRATION_COMPONENT),
        annotations: { [Labels.version]: spec.version },
      },
      spec: {
        // Migrations are transactional: a retry after a lost connection (a failover) is safe.
        backoffLimit: 2,
        ttlSecondsAfterFinished: FINISHED_JOB_TTL_SECONDS,
        template: { ...template, spec: { ...template.spec!, containers: [container], restartPolicy: 'Never' } },
      },
    },
  ];
}
