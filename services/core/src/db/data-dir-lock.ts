/**
 * The embedded database belongs to one process: two PGlite instances on one directory each keep their own view and
 * overwrite each other's pages (a revoked key stays valid in the other, or worse). An exclusive lock next to it
 * makes a second process fail at once with a clear error. proper-lockfile refreshes the lock while the holder lives
 * and treats it as stale shortly after the holder died (SIGKILL, power loss), so a crash never needs manual cleanup.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { AppError, Severity } from '../errors.js';

/** Another live process (usually `myragdb up`) has the data dir open. */
export class DataDirInUseError extends AppError {
  readonly code = 'data_dir_in_use';
  readonly httpStatus = 409;
  readonly severity = Severity.MEDIUM;
}

/** What the lock holder tells other processes: who it is and, for `myragdb up`, where its gateway listens. */
const dataDirOwnerSchema = z.object({
  pid: z.number().int().positive(),
  /** The gateway of the `myragdb up` holding the lock, once it listens. */
  gatewayUrl: z.url().optional(),
});
export type DataDirOwner = z.infer<typeof dataDirOwnerSchema>;

const lockPath = (dataDir: string) => join(dataDir, 'myragdb.lock');
/** Beside the lock directory, not in it: proper-lockfile removes a stale lock with rmdir. */
const ownerPath = (dataDir: string) => join(dataDir, 'myragdb.lock.owner.json');
const STALE_MS = 15_000;

export interface DataDirLock {
  /** Records where the holder's gateway listens, so CLI commands can go through it. */
  advertise(owner: Omit<DataDirOwner, 'pid'>): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the data dir's lock or throws `DataDirInUseError` naming the holder. `onLost` runs if the lock is taken
 * away (e.g. the event loop stalled past the stale time and another process took it).
 */
export async function lockDataDir(dataDir: string, onLost: (error: Error) => void): Promise<DataDirLock> {
  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockfile.lock(dataDir, {
      lockfilePath: lockPath(dataDir),
      stale: STALE_MS,
      update: 5_000,
      realpath: false,
      onCompromised: onLost,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readDataDirOwner(dataDir);
    throw new DataDirInUseError(
      `the data dir ${dataDir} is in use by another MyRAGDB process${owner ? ` (pid ${owner.pid})` : ''}: stop it ` +
        'first, or point this command at its server (MYRAGDB_URL), or use another MYRAGDB_DATA_DIR',
      { cause: error },
    );
  }
  const ownerFile = ownerPath(dataDir);
  await writeFile(ownerFile, JSON.stringify({ pid: process.pid } satisfies DataDirOwner));
  return {
    advertise: (owner) => writeFile(ownerFile, JSON.stringify({ ...owner, pid: process.pid } satisfies DataDirOwner)),
    release: async () => {
      await rm(ownerFile, { force: true });
      await releaseLock().catch(() => undefined); // already released or compromised: nothing left to undo
    },
  };
}

/** The live holder of the data dir's lock, if any. */
export async function readDataDirOwner(dataDir: string): Promise<DataDirOwner | undefined> {
  if (!(await lockfile.check(dataDir, { lockfilePath: lockPath(dataDir), stale: STALE_MS, realpath: false }))) {
    return undefined;
  }
  const text = await readFile(ownerPath(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = dataDirOwnerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // written half way: no owner details, the lock itself still counts
  }
}
