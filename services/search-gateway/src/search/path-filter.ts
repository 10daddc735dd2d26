import picomatch from 'picomatch';

/**
 * A predicate for `pathGlobs` (any glob may match), for the legs whose store cannot filter by path. Globs are
 * POSIX and matched against the repository-relative path; dotfiles match like any other file.
 */
export function compilePathFilter(globs: readonly string[] | undefined): ((path: string) => boolean) | undefined {
  if (!globs || globs.length === 0) return undefined;
  return picomatch([...globs], { dot: true });
}
