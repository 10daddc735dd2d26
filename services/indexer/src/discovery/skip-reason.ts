/** Why discovery left a file or directory out; status reports these codes per path. */
export const SkipReason = {
  /** Matched by a `.gitignore`, `.myragdbignore` or `.git/info/exclude` rule. */
  IGNORED: 'ignored',
  /** Matched one of the repository's exclude globs. */
  EXCLUDED: 'excluded',
  /** The repository has include globs and none matched. */
  NOT_INCLUDED: 'not_included',
  /** Dependencies and build output: node_modules, vendor, dist, build, .git, … */
  VENDORED: 'vendored',
  /** Lockfiles, minified bundles, source maps. */
  GENERATED: 'generated',
  /** Larger than the repository's max file size. */
  TOO_LARGE: 'too_large',
  /** Binary by extension or by a NUL byte in its first bytes. */
  BINARY: 'binary',
  /** Text with lines so long it can only be minified or generated. */
  MINIFIED: 'minified',
  /** A symlink pointing outside the repository root: never followed. */
  SYMLINK_ESCAPES_ROOT: 'symlink_escapes_root',
  /** A symlink inside the root: not followed, its target is indexed at its own path. */
  SYMLINK: 'symlink',
  /** A symlink whose target does not exist. */
  SYMLINK_BROKEN: 'symlink_broken',
  /** A FIFO, socket or device. */
  NOT_REGULAR_FILE: 'not_regular_file',
  /** Permission denied or vanished while reading. */
  UNREADABLE: 'unreadable',
  /** Not valid UTF-8 text. */
  NOT_UTF8: 'not_utf8',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
