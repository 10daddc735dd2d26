/**
 * Backup and restore of a local (`myragdb up`) data dir: one gzipped tar of everything in it, the embedded
 * PostgreSQL (catalog, credentials, API keys, embedding cache), the Chroma vectors and the admin key, so a restore
 * serves at once without reindexing. Both refuse while `myragdb up` uses the directory (PGlite's postmaster.pid):
 * files copied from a running database are not a consistent snapshot.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-fs';
import { ConflictError, ValidationError } from '../../../core/src/errors.js';
import { embeddedDatabaseDir } from '../../../core/src/db/open-database.js';

/** Written by PGlite while a process has the database open; removed on a clean close. */
const RUNNING_MARKER = 'postmaster.pid';

function assertNotRunning(dataDir: string): void {
  if (existsSync(join(embeddedDatabaseDir(dataDir), RUNNING_MARKER))) {
    throw new ConflictError(
      `${dataDir} is in use by a running \`myragdb up\` (${join('pglite', RUNNING_MARKER)} exists): stop it first`,
    );
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
}

/** Writes `file` (gzipped tar, mode 0600: it holds credentials), complete or not at all. */
export async function backupDataDir(dataDirInput: string, fileInput: string): Promise<BackupResult> {
  const dataDir = resolve(dataDirInput);
  const file = resolve(fileInput);
  if (!existsSync(embeddedDatabaseDir(dataDir))) {
    throw new ValidationError(`${dataDir} holds no MyRAGDB data (no pglite directory): nothing to back up`);
  }
  assertNotRunning(dataDir);
  if (file.startsWith(`${dataDir}/`)) throw new ValidationError('the backup file must not be inside the data dir');
  const partial = `${file}.partial`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await pipeline(tar.pack(dataDir), createGzip(), createWriteStream(partial, { mode: 0o600 }));
    await chmod(partial, 0o600);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { file, bytes: (await stat(file)).size };
}

export interface RestoreResult {
  dataDir: string;
  /** Where the data dir's previous contents were moved, if there were any. */
  previous?: string;
}

/**
 * Unpacks `file` beside the data dir, checks it is a MyRAGDB data dir, then swaps it in. Existing contents are
 * kept as `<data dir>.before-restore-<time>` and only replaced with `force` (without it a non-empty dir is refused).
 */
export async function restoreDataDir(
  fileInput: string,
  dataDirInput: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<RestoreResult> {
  const file = resolve(fileInput);
  const dataDir = resolve(dataDirInput);
  if (!existsSync(file)) throw new ValidationError(`${file} does not exist`);
  const occupied = existsSync(dataDir) && (await readdir(dataDir)).length > 0;
  if (occupied) {
    assertNotRunning(dataDir);
    if (!options.force) {
      throw new ConflictError(`${dataDir} is not empty: pass --force to restore over it (its contents are kept aside)`);
    }
  }
  await mkdir(dirname(dataDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dataDir), `.${basename(dataDir)}.restore-`));
  try {
    await pipeline(createReadStream(file), createGunzip(), tar.extract(staging)).catch((error: Error) => {
      throw new ValidationError(`${file} is not a MyRAGDB backup (gzipped tar): ${error.message}`, { cause: error });
    });
    if (!existsSync(embeddedDatabaseDir(staging)) || existsSync(join(embeddedDatabaseDir(staging), RUNNING_MARKER))) {
      throw new ValidationError(`${file} is not a MyRAGDB backup: it holds no (cleanly closed) pglite directory`);
    }
    await chmod(staging, 0o700);
    let previous: string | undefined;
    if (existsSync(dataDir)) {
      if (occupied) {
        previous = `${dataDir}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
        await rename(dataDir, previous);
      } else {
        await rm(dataDir, { recursive: true });
      }
    }
    await rename(staging, dataDir);
    return { dataDir, ...(previous ? { previous } : {}) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
