import type { Repository } from '../../../core/src/domain/repository.js';
import {
  DEFAULT_SECRET_FILE_POLICY,
  looksLikeSecret,
  type SecretFilePolicy,
} from '../../../core/src/domain/secret-files.js';
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
  /** Credential files never served, even if an older index still lists them (the built-in list when omitted). */
  secretFiles?: SecretFilePolicy;
}

/**
 * File content by line range, for clients following a search result. Only files the catalog indexed are served (so
 * `.env` or a skipped secret next to indexed code is not), and only from inside the repository's checkout. A
 * credential file is refused by name and by content even if it was indexed (before an upgrade, or changed since).
 */
export class FileService {
  constructor(private readonly deps: FileServiceDependencies) {}

  async read(repositoryName: string, relativePath: string, range: LineRange): Promise<FileContent> {
    validateRelativePath(relativePath);
    const repository = await this.deps.catalog.getRepository(repositoryName);
    const notIndexed = () =>
      new NotFoundError(`file "${relativePath}" is not indexed in repository "${repository.name}"`);
    // The same answer as for a file that was never indexed, so a client cannot probe which secrets exist.
    if ((this.deps.secretFiles ?? DEFAULT_SECRET_FILE_POLICY).isSecretPath(relativePath)) throw notIndexed();
    // One indexed lookup of this path's chunks: a file with none was skipped or never indexed.
    const chunks = await this.deps.catalog.chunkIdsByPath(repository.name, [relativePath]);
    if (!chunks.get(relativePath)?.length) throw notIndexed();
    const slice = await readConfinedFile(this.deps.checkoutRoot(repository), relativePath, range, this.deps.limits, {
      refuseContent: looksLikeSecret,
      refusal: notIndexed,
    });
    return { repository: repository.name, path: relativePath, ...slice };
  }
}
