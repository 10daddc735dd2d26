/**
 * `pathGlobs` filters for stores that cannot match globs themselves: a predicate (picomatch, POSIX, dotfiles
 * included) plus each glob's literal directory prefix, which a store can use as a cheap pre-filter.
 */
import picomatch from 'picomatch';

export interface PathGlobFilter {
  matches: (path: string) => boolean;
  /** Literal leading directories (`src/api` for `src/api/**\/*.ts`); an empty string means "any path". */
  prefixes: string[];
}

export function compilePathGlobs(globs: readonly string[]): PathGlobFilter {
  const matches = picomatch([...globs], { dot: true });
  const prefixes = [...new Set(globs.map((glob) => picomatch.scan(glob).base.replace(/^\.\/?/, '')))];
  return { matches: (path) => matches(path), prefixes: prefixes.includes('') ? [''] : prefixes };
}
