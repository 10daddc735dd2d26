/**
 * Reindexing: a CronJob from `reindex.schedule`, and a one-off Job per `reindex.requestId`. The Job is only
 * desired while its request is not yet finished according to status, so a Job removed by its TTL is not re-run.
 */
import type { V1CronJob, V1Job, V1JobSpec } from '@kubernetes/client-node';
import { ReindexResult } from '../api/v1alpha1/conditions.js';
import type { BuildContext, Desired } from './build-context.js';
import { REINDEX_COMMAND, ServiceComponent } from './components.js';
import { stableHash } from './hash.js';
import { Annotations, childMetadata, Labels, Names } from './names.js';
import { buildServicePodTemplate } from './services.specs.js';

const REINDEX_COMPONENT = 'reindex';
const FINISHED_JOB_TTL_SECONDS = 7 * 86_400;

function jobSpec(context: BuildContext, extraLabels: Record<string, string>): V1JobSpec {
  const template = buildServicePodTemplate(context, ServiceComponent.Indexer, {
    command: REINDEX_COMMAND,
    probes: false,
    extraLabels: { [Labels.component]: REINDEX_COMPONENT, ...extraLabels },
  });
  return {
    backoffLimit: 2,
    ttlSecondsAfterFinished: FINISHED_JOB_TTL_SECONDS,
    template: { ...template, spec: { ...template.spec!, restartPolicy: 'Never' } },
  };
}

export function reindexJobName(owner: { name: string }, requestId: string): string {
  return Names.reindexJob(owner, stableHash(requestId, 10));
}

export function buildReindexCronJob(context: BuildContext): Desired<V1CronJob>[] {
  const { owner, spec } = context;
  if (!spec.reindex.schedule) return [];
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: childMetadata(owner, Names.reindexCronJob(owner), REINDEX_COMPONENT),
      spec: {
        schedule: spec.reindex.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: childMetadata(owner, '', REINDEX_COMPONENT).labels },
          spec: jobSpec(context, {}),
        },
      },
    },
  ];
}

/** Whether the current request still needs its Job (not seen yet, or seen but not finished). */
export function reindexRequestPending(context: Pick<BuildContext, 'spec' | 'observed'>): boolean {
  const requestId = context.spec.reindex.requestId;
  if (!requestId) return false;
  const last = context.observed.lastReindex;
  return last?.requestId !== requestId || last.result === undefined || last.result === ReindexResult.Running;
}

export function buildReindexJob(context: BuildContext): Desired<V1Job>[] {
  const { owner, spec } = context;
  const requestId = spec.reindex.requestId;
  if (!requestId || !reindexRequestPending(context)) return [];
  const labels = { [Labels.reindexRequest]: requestId };
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...childMetadata(owner, reindexJobName(owner, requestId), REINDEX_COMPONENT, labels),
        annotations: { [Annotations.reindexRequest]: requestId },
      },
      spec: jobSpec(context, labels),
    },
  ];
}
