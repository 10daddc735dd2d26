import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import type { Job } from '../../../core/src/ports/job-queue.js';
import { withCatalogStores, type CatalogStores } from '../../../core/src/stores/open-stores.js';
import { toApiJob } from '../../../search-gateway/src/api/repository.schemas.js';
import { printJson, processIo, type CommandIo } from './command-io.js';

const FINISHED: ReadonlySet<Job['state']> = new Set(['succeeded', 'failed', 'cancelled']);

export interface ReindexOptions {
  full?: boolean;
  wait?: boolean;
  json?: boolean;
  pollInterval: number;
}

function parseInterval(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 100) throw new InvalidArgumentError('must be at least 100 (ms)');
  return parsed;
}

/** Progress as the sync reports it in the job row (see SyncProgress). */
interface JobProgress {
  phase?: string;
  filesTotal?: number;
  filesDone?: number;
  vectorsWritten?: number;
}

function progressOf(job: Job): JobProgress {
  return typeof job.progress === 'object' && job.progress !== null ? job.progress : {};
}

/**
 * Polls the jobs until every one has finished, drawing a bar per job on a terminal. Workers (the indexer service,
 * or `myragdb up`) run the jobs; this only watches, so it works the same from a laptop or a Kubernetes Job.
 */
export async function waitForJobs(
  stores: Pick<CatalogStores, 'queue'>,
  jobIds: readonly string[],
  io: CommandIo,
  options: { pollIntervalMs: number; showProgress: boolean },
): Promise<Job[]> {
  const bars = options.showProgress
    ? new cliProgress.MultiBar(
        {
          stream: io.stderr,
          format: '{repository} [{bar}] {state} {phase} {value}/{total} files, {vectors} vectors',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const barOf = new Map<string, cliProgress.SingleBar>();
  try {
    for (;;) {
      const jobs = await Promise.all(jobIds.map((id) => stores.queue.get(id)));
      for (const job of jobs) {
        if (!bars) continue;
        const progress = progressOf(job);
        const payload = {
          repository: job.repository,
          state: job.state,
          phase: progress.phase ?? '',
          vectors: progress.vectorsWritten ?? 0,
        };
        const bar = barOf.get(job.id) ?? bars.create(progress.filesTotal ?? 0, 0, payload);
        barOf.set(job.id, bar);
        bar.setTotal(Math.max(progress.filesTotal ?? 0, 1));
        bar.update(
          job.state === 'succeeded' ? Math.max(progress.filesTotal ?? 0, 1) : (progress.filesDone ?? 0),
          payload,
        );
      }
      if (jobs.every((job) => FINISHED.has(job.state))) return jobs;
      await sleep(options.pollIntervalMs);
    }
  } finally {
    bars?.stop();
  }
}

export function reindexCommand(io: CommandIo = processIo()): Command {
  return new Command('reindex')
    .description('Queue a sync of one repository (or all), optionally a full rebuild, and optionally wait for it')
    .argument('[name]', 'repository to sync (default: every repository)')
    .option('--full', 'drop the repository documents from every store and rebuild them')
    .option('--wait', 'wait until the jobs finish; exit code 1 if any failed')
    .option('--json', 'print the jobs as JSON')
    .option('--poll-interval <ms>', 'how often --wait checks the jobs', parseInterval, 1000)
    .action(async (name: string | undefined, options: ReindexOptions) => {
      const jobs = await withCatalogStores('myragdb-cli', async (stores) => {
        const names = name
          ? [(await stores.catalog.getRepository(name)).name]
          : (await stores.catalog.listRepositories()).map((entry) => entry.name);
        const kind = options.full ? 'full' : 'sync';
        const queued = await Promise.all(names.map(async (entry) => (await stores.queue.enqueue(entry, kind)).job));
        if (!options.wait) return Promise.all(queued.map((job) => stores.queue.get(job.id)));
        if (stores.sql.dialect === 'pglite') {
          // Nothing else may open the embedded database while it is used here, so no worker could run the jobs.
          throw new InvalidArgumentError(
            '--wait needs DATABASE_URL: with the embedded database the jobs run when `myragdb up` starts',
          );
        }
        return waitForJobs(
          stores,
          queued.map((job) => job.id),
          io,
          { pollIntervalMs: options.pollInterval, showProgress: !options.json && io.stderr.isTTY === true },
        );
      });
      const failed = jobs.filter((job) => job.state === 'failed' || job.state === 'cancelled');
      if (options.wait && failed.length > 0) io.setExitCode(1);
      if (options.json) return printJson(io, { jobs: jobs.map(toApiJob) });
      if (jobs.length === 0) io.stdout.write('No repositories to sync.\n');
      for (const job of jobs) {
        const error = job.error ? `: ${job.error.code}: ${job.error.message}` : '';
        io.stdout.write(`${job.repository}: ${job.kind} job ${job.id} ${job.state}${error}\n`);
      }
    });
}
