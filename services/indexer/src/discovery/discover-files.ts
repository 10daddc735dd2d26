import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { SourceUnavailableError } from '../../../core/src/errors.js';
import { excludedByName, vendoredDirectory } from './default-exclusions.js';
import { SkipReason } from './skip-reason.js';

export interface DiscoveryRules {
  /** POSIX globs on the repository-relative path; empty means every file. */
  include: readonly string[];
  exclude: readonly string[];
  maxFileBytes: number;
}

export interface DiscoveredFile {
  size: number;
  mtimeMs: number;
}

export interface SkippedPath {
  /** Repository-relative; a directory skipped as a whole ends with `/`. */
  path: string;
  reason: SkipReason;
}

export interface Discovery {
  /** Indexable files by repository-relative POSIX path, in path order. */
  files: Map<string, DiscoveredFile>;
  skipped: SkippedPath[];
}

const IGNORE_FILES = ['.gitignore', '.myragdbignore'];

/** Ignore rules of one directory; paths are tested relative to it. */
interface IgnoreLevel {
  base: string;
  rules: Ignore;
}

/**
 * Stat-only walk of a repository: honours `.gitignore` and `.myragdbignore` at every level (deeper files win, as
 * in git) and `.git/info/exclude`, the include/exclude globs, the size limit and the default exclusions; never
 * follows a symlink. Reads no file content except ignore files: binary and minified checks happen when a file is
 * read (`readSourceFile`). Throws `SourceUnavailableError` when the root itself cannot be read.
 */
export async function discoverFiles(root: string, rules: DiscoveryRules): Promise<Discovery> {
  const realRoot = await realpath(root).catch((error: NodeJS.ErrnoException) => {
    throw new SourceUnavailableError(`repository root ${root} cannot be read (${error.code ?? error.message})`, {
      cause: error,
    });
  });
  const included = rules.include.length > 0 ? picomatch([...rules.include], { dot: true }) : () => true;
  const excluded = rules.exclude.length > 0 ? picomatch([...rules.exclude], { dot: true }) : () => false;
  const files: Array<[string, DiscoveredFile]> = [];
  const skipped: SkippedPath[] = [];
  const skip = (path: string, reason: SkipReason): void => {
    skipped.push({ path, reason });
  };

  const rootRules = await ignoreLevel(realRoot, '', [join('.git', 'info', 'exclude'), ...IGNORE_FILES]);

  const visitSymlink = async (path: string): Promise<void> => {
    const target = await realpath(join(realRoot, path)).catch(() => undefined);
    if (target === undefined) skip(path, SkipReason.SYMLINK_BROKEN);
    else if (target === realRoot || target.startsWith(realRoot + sep)) skip(path, SkipReason.SYMLINK);
    else skip(path, SkipReason.SYMLINK_ESCAPES_ROOT);
  };

  const visitFile = async (path: string, name: string): Promise<void> => {
    const reason = excludedByName(name) ?? (excluded(path) ? SkipReason.EXCLUDED : undefined);
    if (reason) return skip(path, reason);
    if (!included(path)) return skip(path, SkipReason.NOT_INCLUDED);
    const info = await lstat(join(realRoot, path)).catch(() => undefined);
    if (!info) return skip(path, SkipReason.UNREADABLE);
    if (info.size > rules.maxFileBytes) return skip(path, SkipReason.TOO_LARGE);
    files.push([path, { size: info.size, mtimeMs: info.mtimeMs }]);
  };

  const visitDirectory = async (directory: string, levels: readonly IgnoreLevel[]): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(directory ? join(realRoot, directory) : realRoot, { withFileTypes: true });
    } catch (error) {
      if (!directory) throw new SourceUnavailableError(`repository root ${root} cannot be listed`, { cause: error });
      return skip(`${directory}/`, SkipReason.UNREADABLE);
    }
    const own = directory && entries.some((entry) => IGNORE_FILES.includes(entry.name));
    const scope = own ? [...levels, await ignoreLevel(realRoot, directory, IGNORE_FILES)] : levels;
    const work: Array<Promise<void>> = [];
    for (const entry of entries) {
      const path = directory ? `${directory}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const reason =
          (isIgnored(scope, path, true) ? SkipReason.IGNORED : undefined) ??
          vendoredDirectory(entry.name) ??
          (excluded(path) ? SkipReason.EXCLUDED : undefined);
        if (reason) skip(`${path}/`, reason);
        else work.push(visitDirectory(path, scope));
      } else if (isIgnored(scope, path, false)) {
        skip(path, SkipReason.IGNORED);
      } else if (entry.isSymbolicLink()) {
        work.push(visitSymlink(path));
      } else if (entry.isFile()) {
        work.push(visitFile(path, entry.name));
      } else {
        skip(path, SkipReason.NOT_REGULAR_FILE);
      }
    }
    await Promise.all(work);
  };

  await visitDirectory('', [rootRules]);
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: new Map(files), skipped };
}

/** The ignore rules of `directory` from the given files (missing ones are fine). */
async function ignoreLevel(realRoot: string, directory: string, names: readonly string[]): Promise<IgnoreLevel> {
  const rules = ignore();
  for (const name of names) {
    const text = await readFile(join(realRoot, directory, name), 'utf8').catch(() => undefined);
    if (text !== undefined) rules.add(text);
  }
  return { base: directory, rules };
}

/** The deepest level with an opinion wins: a nested `!keep.log` re-includes what a parent ignored. */
function isIgnored(levels: readonly IgnoreLevel[], path: string, isDirectory: boolean): boolean {
  for (let index = levels.length - 1; index >= 0; index--) {
    const { base, rules } = levels[index]!;
    const relative = base ? path.slice(base.length + 1) : path;
    const result = rules.test(isDirectory ? `${relative}/` : relative);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}
