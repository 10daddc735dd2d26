import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, ValidationError } from '../../../core/src/errors.js';

export interface LineRange {
  /** 1-based, inclusive; defaults to 1. */
  start?: number;
  /** 1-based, inclusive; defaults to start + maxLines - 1, capped at the end of the file. */
  end?: number;
}

export interface FileSlice {
  content: string;
  startLine: number;
  endLine: number;
  totalLines: number;
}

export interface FileReadLimits {
  /** Files larger than this are not read at all (an indexed file is far smaller). */
  maxFileBytes: number;
  /** Lines returned by one request. */
  maxLines: number;
}

/** Content that must not be served although the path passed every check (a credential), and the error to throw. */
export interface ContentRefusal {
  refuseContent(text: string): boolean;
  refusal(): Error;
}

export const DEFAULT_FILE_READ_LIMITS: FileReadLimits = { maxFileBytes: 10 * 1024 * 1024, maxLines: 2_000 };

/**
 * Checks a client-supplied repository-relative path before it touches the file system: POSIX, relative, no `..`
 * or empty segments, no NUL or backslash. Returns the normalized path.
 */
export function validateRelativePath(relativePath: string): string {
  const segments = relativePath.split('/');
  const invalid =
    relativePath.length === 0 ||
    relativePath.length > 4096 ||
    relativePath.includes('\0') ||
    relativePath.includes('\\') ||
    relativePath.startsWith('/') ||
    segments.some((segment) => segment === '..' || segment === '.' || segment === '');
  if (invalid) {
    throw new ValidationError(
      'path must be a relative POSIX path inside the repository (no "..", "." or empty segments)',
      {
        details: [{ path: ['path'], message: 'invalid repository-relative path' }],
      },
    );
  }
  return relativePath;
}

/**
 * Reads lines of `relativePath` under `root`, refusing anything that resolves outside it: the real path of the
 * file (symlinks followed) must lie inside the real path of the root, so a symlink inside the repository cannot
 * expose `/etc/passwd`. Errors say "not found" for escapes, so the response does not reveal what exists outside.
 */
export async function readConfinedFile(
  root: string,
  relativePath: string,
  range: LineRange,
  limits: FileReadLimits,
  content?: ContentRefusal,
): Promise<FileSlice> {
  validateRelativePath(relativePath);
  const start = range.start ?? 1;
  if (range.end !== undefined && range.end < start) {
    throw new ValidationError('end must not be before start', { details: [{ path: ['end'], message: 'end < start' }] });
  }
  const notFound = () => new NotFoundError(`file "${relativePath}" not found in the repository`);

  const realRoot = await realpath(root).catch(() => {
    throw new NotFoundError('the repository checkout is not available');
  });
  const realFile = await realpath(path.join(realRoot, relativePath)).catch(() => {
    throw notFound();
  });
  if (!realFile.startsWith(realRoot + path.sep)) throw notFound();

  const handle = await open(realFile, 'r').catch(() => {
    throw notFound();
  });
  let text: string;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notFound();
    if (stats.size > limits.maxFileBytes) {
      throw new ValidationError(`file is larger than ${limits.maxFileBytes} bytes and is not served`);
    }
    const buffer = await handle.readFile();
    if (buffer.subarray(0, 8_192).includes(0)) throw new ValidationError('binary files are not served');
    text = buffer.toString('utf8');
    if (content?.refuseContent(text)) throw content.refusal();
  } finally {
    await handle.close();
  }

  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop(); // a final newline does not start another line
  const totalLines = lines.length;
  if (start > totalLines) {
    throw new ValidationError(`start is past the end of the file (${totalLines} lines)`, {
      details: [{ path: ['start'], message: `file has ${totalLines} lines` }],
    });
  }
  const end = Math.min(range.end ?? start + limits.maxLines - 1, totalLines, start + limits.maxLines - 1);
  return { content: lines.slice(start - 1, end).join('\n'), startLine: start, endLine: end, totalLines };
}
