import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NewRepository, Repository } from '../../../core/src/domain/repository.js';
import { readRepositoryStatus } from '../../../core/src/domain/repository-status.js';
import { ValidationError } from '../../../core/src/errors.js';
import type { Catalog } from '../../../core/src/ports/catalog.js';
import type { JobQueue } from '../../../core/src/ports/job-queue.js';
import type { KeywordIndex } from '../../../core/src/ports/keyword-index.js';
import type { VectorIndex } from '../../../core/src/ports/vector-index.js';
import { toApiJob, type Job, type RepositoryStatus } from '../api/repository.schemas.js';

export type RepositoryCatalog = Pick<
  Catalog,
  'createRepository' | 'getRepository' | 'listRepositories' | 'deleteRepository' | 'stats'
>;

export interface RepositoryServiceDependencies {
  catalog: RepositoryCatalog;
  jobs: Pick<JobQueue, 'enqueue' | 'get' | 'list' | 'cancel'>;
  keywordIndex: Pick<KeywordIndex, 'deleteRepository'>;
  vectorIndex: Pick<VectorIndex, 'deleteRepository'>;
  /** Directories local sources must lie in (`MYRAGDB_ALLOWED_ROOTS`); empty means no local sources at all. */
  allowedRoots: readonly string[];
}

const ACTIVE_STATES = ['queued', 'running'] as const;

/**
 * Registers, lists and removes repositories and queues their indexing jobs; the indexer's workers run the jobs.
 * Local source paths, and the paths of `file://` git URLs, must resolve (symlinks followed) inside an allowed root,
 * so a client cannot index `/etc` directly or as a git repository.
 */
export class RepositoryService {
  constructor(private readonly deps: RepositoryServiceDependencies) {}

  async create(input: NewRepository): Promise<RepositoryStatus & { job: { id: string } }> {
    const source =
      input.source.type === 'local'
        ? { ...input.source, path: await this.allowedLocalPath(input.source.path, 'body.source.path') }
        : { ...input.source, url: await this.allowedGitUrl(input.source.url) };
    const repository = await this.deps.catalog.createRepository({ ...input, source });
    const { job } = await this.deps.jobs.enqueue(repository.name, 'sync');
    return { ...(await this.status(repository.name)), job: { id: job.id } };
  }

  async list(): Promise<RepositoryStatus[]> {
    const repositories = await this.deps.catalog.listRepositories();
    return Promise.all(repositories.map((repository) => this.status(repository.name)));
  }

  async get(name: string): Promise<Repository> {
    return this.deps.catalog.getRepository(name);
  }

  /** Status as the API reports it: catalog counts plus the state of the repository's newest jobs. */
  async status(name: string): Promise<RepositoryStatus> {
    return (await readRepositoryStatus(this.deps.catalog, this.deps.jobs, name)).summary;
  }

  /** Cancels the repository's jobs, removes its documents from both stores, then its catalog rows. */
  async remove(name: string): Promise<void> {
    await this.deps.catalog.getRepository(name); // 404 before touching anything
    const active = await this.deps.jobs.list({ repository: name, states: ACTIVE_STATES });
    await Promise.all(active.map((job) => this.deps.jobs.cancel(job.id)));
    await Promise.all([this.deps.keywordIndex.deleteRepository(name), this.deps.vectorIndex.deleteRepository(name)]);
    await this.deps.catalog.deleteRepository(name);
  }

  /** Queues a sync (or full rebuild) per repository; all repositories when none are named. */
  async reindex(
    names: readonly string[] | undefined,
    full: boolean,
  ): Promise<Array<{ id: string; repository: string; kind: 'sync' | 'full' }>> {
    const targets = names
      ? [...new Set(names)]
      : (await this.deps.catalog.listRepositories()).map((repository) => repository.name);
    await Promise.all(targets.map((name) => this.deps.catalog.getRepository(name))); // unknown names: 404, nothing queued
    const kind = full ? 'full' : 'sync';
    const queued = await Promise.all(targets.map((name) => this.deps.jobs.enqueue(name, kind)));
    return queued.map(({ job }) => ({ id: job.id, repository: job.repository, kind: job.kind }));
  }

  /** The newest jobs, of one repository or all. */
  async jobs(options: { repository?: string; limit: number }): Promise<Job[]> {
    return (await this.deps.jobs.list(options)).map(toApiJob);
  }

  async job(id: string): Promise<Job> {
    return toApiJob(await this.deps.jobs.get(id));
  }

  /** A `file://` URL (also `file://localhost/…`) names a local directory: the allowed roots apply to it. */
  private async allowedGitUrl(url: string): Promise<string> {
    if (!/^file:/i.test(url)) return url;
    let directory: string;
    try {
      directory = fileURLToPath(url);
    } catch {
      const message = 'file:// URLs must name a path on this machine (no host other than localhost)';
      throw new ValidationError(message, { details: { fields: [{ field: 'body.source.url', message }] } });
    }
    return pathToFileURL(await this.allowedLocalPath(directory, 'body.source.url')).href;
  }

  private async allowedLocalPath(requested: string, field: string): Promise<string> {
    const invalid = (message: string) => new ValidationError(message, { details: { fields: [{ field, message }] } });
    if (this.deps.allowedRoots.length === 0) {
      throw invalid('local sources are disabled: set MYRAGDB_ALLOWED_ROOTS to the directories they may come from');
    }
    const outside = invalid('path is outside the allowed roots (MYRAGDB_ALLOWED_ROOTS)');
    const roots = (
      await Promise.all(
        this.deps.allowedRoots.map(async (root) => [path.resolve(root), await realpath(root).catch(() => undefined)]),
      )
    )
      .flat()
      .filter((root) => root !== undefined);
    const inside = (candidate: string) =>
      roots.some(
        (root) => candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
      );
    // Checked on the path as written before the file system is asked, so an answer never tells whether a path
    // outside the roots exists; then again on the real path, so a symlink cannot lead out.
    if (!inside(path.resolve(requested))) throw outside;
    const resolved = await realpath(path.resolve(requested)).catch(() => {
      throw invalid('path does not exist');
    });
    if (!(await stat(resolved)).isDirectory()) throw invalid('path is not a directory');
    if (inside(resolved)) return resolved;
    throw outside;
  }
}
