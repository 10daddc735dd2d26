import type { Repository } from '../../../core/src/domain/repository.js';
import { NotFoundError } from '../../../core/src/errors.js';
import type { Catalog } from '../../../core/src/ports/catalog.js';
import type { FileContent } from '../api/file.schemas.js';
import {
  type FileReadLimits,
  type LineRange,
  readConfinedFile,
  validateRelativePath,
} from '../files/confined-file.reader.js';

export interface FileServiceDependencies {
  catalog: Pick<Catalog, 'getRepository' | 'chunkIdsByPath'>;
  /** Where the repository's files are on this machine: the local path, or the indexer's checkout of a git source. */
  checkoutRoot(repository: Repository): string;
  limits: FileReadLimits;
}

/**
 * File content by line range, for clients following a search result. Only files the catalog indexed are served (so
 * `.env` or a skipped secret next to indexed code is not), and only from inside the repository's checkout.
 */
export class FileService {
  constructor(private readonly deps: FileServiceDependencies) {}

  async read(repositoryName: string, relativePath: string, range: LineRange): Promise<FileContent> {
    validateRelativePath(relativePath);
    const repository = await this.deps.catalog.getRepository(repositoryName);
    // One indexed lookup of this path's chunks: a file with none was skipped or never indexed.
    const chunks = await this.deps.catalog.chunkIdsByPath(repository.name, [relativePath]);
    if (!chunks.get(relativePath)?.length) {
      throw new NotFoundError(`file "${relativePath}" is not indexed in repository "${repository.name}"`);
    }
    const slice = await readConfinedFile(this.deps.checkoutRoot(repository), relativePath, range, this.deps.limits);
    return { repository: repository.name, path: relativePath, ...slice };
  }
}
