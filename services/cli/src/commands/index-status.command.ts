import Table from 'cli-table3';
import { Command } from 'commander';
import { readRepositoryStatus } from '../../../core/src/domain/repository-status.js';
import { withCatalogStores, type CatalogStores } from '../../../core/src/stores/open-stores.js';
import { toApiJob } from '../../../search-gateway/src/api/repository.schemas.js';
import { printJson, processIo, type CommandIo } from './command-io.js';

/** Everything `index status` shows for one repository: the API's status plus skipped files and the latest job. */
export async function indexStatus(stores: CatalogStores, name: string) {
  const [{ summary, stats }, jobs] = await Promise.all([
    readRepositoryStatus(stores.catalog, stores.queue, name),
    stores.queue.list({ repository: name, limit: 1 }),
  ]);
  return {
    ...summary,
    model: stats.model ?? null,
    generation: stats.generation,
    skippedFiles: stats.skippedFiles,
    skippedByReason: stats.skippedByReason,
    skipped: stats.skipped,
    lastJob: jobs[0] ? toApiJob(jobs[0]) : null,
  };
}

export type IndexStatus = Awaited<ReturnType<typeof indexStatus>>;

export function renderIndexStatus(status: IndexStatus, color: boolean): string {
  const table = new Table({ style: color ? {} : { head: [], border: [] } });
  const job = status.lastJob;
  table.push(
    { status: status.status },
    { files: status.files },
    { chunks: status.chunks },
    { 'vectors pending': status.vectorsPending },
    { 'last sync': status.lastIndexedAt ?? 'never' },
    { model: status.model ? `${status.model.modelId} (${status.model.dimension} dims)` : '-' },
    { 'last job': job ? `${job.kind} ${job.state} (${job.id})` : '-' },
  );
  const progress = status.progress as
    { phase?: string; filesDone?: number; filesTotal?: number; vectorsWritten?: number } | undefined;
  if (progress) {
    table.push({
      progress: `${progress.phase ?? '?'}: ${progress.filesDone ?? 0}/${progress.filesTotal ?? 0} files, ${progress.vectorsWritten ?? 0} vectors`,
    });
  }
  if (status.error) table.push({ error: status.error });
  if (job?.error) table.push({ 'job error': `${job.error.code}: ${job.error.message}` });
  const reasons = Object.entries(status.skippedByReason);
  if (reasons.length > 0) {
    table.push({ skipped: reasons.map(([reason, count]) => `${count} ${reason}`).join(', ') });
  }
  return `${status.name}\n${table.toString()}`;
}

export function indexCommand(io: CommandIo = processIo()): Command {
  const index = new Command('index').description('Inspect the index');
  index
    .command('status')
    .description('Files, chunks, vectors pending, last sync, errors and skipped-file reasons per repository')
    .argument('[name]', 'one repository (default: all)')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      const statuses = await withCatalogStores('myragdb-cli', async (stores) => {
        const names = name ? [name] : (await stores.catalog.listRepositories()).map((repository) => repository.name);
        return Promise.all(names.map((entry) => indexStatus(stores, entry)));
      });
      if (statuses.some((status) => status.status === 'error')) io.setExitCode(1);
      if (options.json) return printJson(io, name ? statuses[0] : { repositories: statuses });
      if (statuses.length === 0) io.stdout.write('No repositories.\n');
      io.stdout.write(
        statuses.map((status) => renderIndexStatus(status, io.stdout.isTTY === true)).join('\n\n') + '\n',
      );
    });
  return index;
}
