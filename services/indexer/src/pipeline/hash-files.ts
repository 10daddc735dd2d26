import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';

/** sha256 (hex) of a file's bytes, streamed so a large file never sits in memory whole. */
export async function hashFile(absolutePath: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(absolutePath), hash);
  return hash.digest('hex');
}

/**
 * Hashes many repository files with bounded concurrency (enough to overlap disk reads, few enough to keep file
 * descriptors and memory flat). A file that vanished or became unreadable between scan and hash is left out: the
 * next sync sees it again.
 */
export async function hashFiles(
  root: string,
  relativePaths: readonly string[],
  concurrency = 16,
): Promise<Map<string, string>> {
  const limit = pLimit(concurrency);
  const hashes = new Map<string, string>();
  await Promise.all(
    relativePaths.map((path) =>
      limit(async () => {
        try {
          hashes.set(path, await hashFile(join(root, path)));
        } catch (error) {
          if (!isVanishedFileError(error)) throw error;
        }
      }),
    ),
  );
  return hashes;
}

export function isVanishedFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EISDIR';
}
