import { stat } from 'node:fs/promises';
import type { Repository, RepositorySource } from '../../../core/src/domain/repository.js';
import { SourceUnavailableError } from '../../../core/src/errors.js';

export type GitSource = Extract<RepositorySource, { type: 'git' }>;

/** Clones or fetches a git source into the work dir and returns the checkout's directory. */
export type GitCheckout = (repository: string, source: GitSource, signal: AbortSignal | undefined) => Promise<string>;

/**
 * The directory a sync reads: a local source must still be a readable directory (a missing path is a clear
 * source error, not an empty repository that would delete every indexed file); a git source is checked out.
 */
export function createSourceResolver(checkoutGit: GitCheckout) {
  return async (repository: Repository, signal: AbortSignal | undefined): Promise<string> => {
    const { source } = repository;
    if (source.type === 'git') return checkoutGit(repository.name, source, signal);
    const info = await stat(source.path).catch((error: NodeJS.ErrnoException) => {
      throw new SourceUnavailableError(
        error.code === 'ENOENT'
          ? `source path ${source.path} does not exist`
          : `source path ${source.path} cannot be read (${error.code ?? error.message})`,
        { cause: error },
      );
    });
    if (!info.isDirectory()) throw new SourceUnavailableError(`source path ${source.path} is not a directory`);
    return source.path;
  };
}
