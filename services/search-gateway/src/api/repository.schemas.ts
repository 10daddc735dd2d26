import { z } from 'zod';
import { newRepositorySchema } from '../../../core/src/domain/repository.js';
import type { Job as QueuedJob } from '../../../core/src/ports/job-queue.js';
import { RepositoryName } from './common.schemas.js';

/** Registration body: the catalog's repository schema (the one boundary check every way in shares). */
export const CreateRepositoryRequest = newRepositorySchema.meta({ id: 'CreateRepositoryRequest' });
export type CreateRepositoryRequest = z.infer<typeof CreateRepositoryRequest>;

export const RepositoryStatus = z
  .object({
    name: z.string(),
    status: z.enum(['pending', 'indexing', 'ready', 'error']),
    files: z.int().min(0),
    chunks: z.int().min(0),
    vectorsPending: z.int().min(0),
    skippedFiles: z.int().min(0).describe('Files left out of the index (binary, too large, secrets, ...).'),
    skippedByReason: z.record(z.string(), z.int().min(0)).describe('Skipped files per reason.'),
    lastIndexedAt: z.iso.datetime().nullable(),
    keywordStore: z
      .string()
      .nullable()
      .describe('Keyword engine, document format and index holding its documents; null before the first sync.'),
    error: z.string().optional(),
    progress: z.record(z.string(), z.unknown()).optional().describe('Progress of the running job, when indexing.'),
  })
  .meta({ id: 'RepositoryStatus' });
export type RepositoryStatus = z.infer<typeof RepositoryStatus>;

export const RepositoryList = z.object({ repositories: z.array(RepositoryStatus) }).meta({ id: 'RepositoryList' });

export const RepositoryNameParams = z.object({ name: RepositoryName });

export const ReindexRequest = z
  .strictObject({
    repositories: z.array(RepositoryName).min(1).max(100).optional().describe('Default: every repository.'),
    full: z
      .boolean()
      .default(false)
      .describe('Drop and rebuild the documents in every store instead of syncing changes.'),
  })
  .meta({ id: 'ReindexRequest' });
export type ReindexRequest = z.infer<typeof ReindexRequest>;

export const JobSummary = z
  .object({ id: z.string(), repository: z.string(), kind: z.enum(['sync', 'full']) })
  .meta({ id: 'JobSummary' });

export const ReindexResponse = z.object({ jobs: z.array(JobSummary) }).meta({ id: 'ReindexResponse' });

export const Job = z
  .object({
    id: z.string(),
    repository: z.string(),
    kind: z.enum(['sync', 'full']),
    state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    progress: z.unknown().optional(),
    result: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    attempts: z.int().min(0),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const JobList = z.object({ jobs: z.array(Job) }).meta({ id: 'JobList' });

export const JobListQuery = z.strictObject({
  repository: RepositoryName.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const JobIdParams = z.object({ id: z.uuid('must be a job id (UUID)') });

/** A queued job as the API (and the CLI's JSON output) shows it. */
export function toApiJob(job: QueuedJob): Job {
  return {
    id: job.id,
    repository: job.repository,
    kind: job.kind,
    state: job.state,
    ...(job.progress != null ? { progress: job.progress } : {}),
    ...(job.result != null ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
