import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { ValidationError } from '../../../core/src/errors.js';
import { looksBinary, looksMinified } from './content-sniffing.js';
import { SkipReason } from './skip-reason.js';

export type SourceFileContent =
  | {
      kind: 'text';
      content: string;
      /** sha256 hex of the file's bytes, the same value `hashFile` computes. */
      contentHash: string;
      size: number;
      mtimeMs: number;
    }
  | { kind: 'skipped'; reason: SkipReason };

const decoder = new TextDecoder('utf-8');

/**
 * Reads one discovered file as text, or says why it cannot be indexed: binary (NUL sniff), minified, too large,
 * gone, or no longer a regular file inside the root. Symlinks are refused at open (`O_NOFOLLOW`) and the parent
 * directory is re-checked, so a file swapped for a link after discovery cannot leak content from outside the root.
 * Invalid UTF-8 is decoded with replacement characters rather than dropped: Latin-1 sources stay searchable.
 */
export async function readSourceFile(root: string, path: string, maxFileBytes: number): Promise<SourceFileContent> {
  if (isAbsolute(path) || path.split('/').some((part) => part === '..' || part === '')) {
    throw new ValidationError(`not a repository-relative path: ${JSON.stringify(path)}`);
  }
  const realRoot = await realpath(root);
  const absolute = join(realRoot, path);
  const parent = await realpath(dirname(absolute)).catch(() => undefined);
  if (parent === undefined) return { kind: 'skipped', reason: SkipReason.UNREADABLE };
  if (parent !== realRoot && !parent.startsWith(realRoot + sep)) {
    return { kind: 'skipped', reason: SkipReason.SYMLINK_ESCAPES_ROOT };
  }
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'skipped', reason: code === 'ELOOP' ? SkipReason.SYMLINK : SkipReason.UNREADABLE };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'skipped', reason: SkipReason.NOT_REGULAR_FILE };
    if (info.size > maxFileBytes) return { kind: 'skipped', reason: SkipReason.TOO_LARGE };
    const bytes = await handle.readFile();
    if (bytes.length > maxFileBytes) return { kind: 'skipped', reason: SkipReason.TOO_LARGE };
    if (looksBinary(bytes)) return { kind: 'skipped', reason: SkipReason.BINARY };
    const content = decoder.decode(bytes);
    if (looksMinified(content)) return { kind: 'skipped', reason: SkipReason.MINIFIED };
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    return { kind: 'text', content, contentHash, size: bytes.length, mtimeMs: info.mtimeMs };
  } catch {
    return { kind: 'skipped', reason: SkipReason.UNREADABLE };
  } finally {
    await handle.close();
  }
}
