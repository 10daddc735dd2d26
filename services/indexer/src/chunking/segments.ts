import type { ChunkingOptions } from './chunking-options.js';

/**
 * A candidate piece of a file in 0-based rows (inclusive), before small neighbours are merged. `columns` marks a
 * slice of one overlong line (minified or generated text), which is never merged.
 */
export interface Segment {
  startRow: number;
  endRow: number;
  /** Enclosing symbol path, e.g. `['Router', 'handle']` or markdown headings. */
  path: readonly string[];
  /** Belongs to what follows (a doc comment, an attribute). */
  leading: boolean;
  columns?: { from: number; to: number };
}

/** A file's lines with character offsets, so a row range's size costs O(1). */
export class SourceLines {
  readonly lines: readonly string[];
  private readonly offsets: number[];

  constructor(content: string) {
    this.lines = content.split('\n');
    this.offsets = [0];
    for (const line of this.lines) this.offsets.push(this.offsets.at(-1)! + line.length + 1);
  }

  get count(): number {
    return this.lines.length;
  }

  /** Characters in rows `startRow..endRow`, newlines included. */
  size(startRow: number, endRow: number): number {
    return this.offsets[endRow + 1]! - this.offsets[startRow]!;
  }

  text(startRow: number, endRow: number): string {
    return this.lines.slice(startRow, endRow + 1).join('\n');
  }

  isBlank(row: number): boolean {
    return this.lines[row]!.trim().length === 0;
  }
}

function segmentSize(source: SourceLines, segment: Segment): number {
  return segment.columns ? segment.columns.to - segment.columns.from : source.size(segment.startRow, segment.endRow);
}

/**
 * Rows `startRow..endRow` cut into windows of at most `targetChars`, each starting `overlapLines` before the end of
 * the previous one; a line longer than `maxChars` is cut into slices of its own.
 */
export function lineWindows(
  source: SourceLines,
  startRow: number,
  endRow: number,
  path: readonly string[],
  options: ChunkingOptions,
): Segment[] {
  const windows: Segment[] = [];
  const overlong = (row: number) => source.lines[row]!.length > options.maxChars;
  let row = startRow;
  while (row <= endRow) {
    if (overlong(row)) {
      const length = source.lines[row]!.length;
      for (let from = 0; from < length; from += options.maxChars) {
        const to = Math.min(length, from + options.maxChars);
        windows.push({ startRow: row, endRow: row, path, leading: false, columns: { from, to } });
      }
      row += 1;
      continue;
    }
    let end = row;
    while (end < endRow && !overlong(end + 1) && source.size(row, end + 1) <= options.targetChars) end += 1;
    windows.push({ startRow: row, endRow: end, path, leading: false });
    if (end >= endRow) break;
    // No overlap in front of an overlong line: those lines would make a window of their own.
    row = overlong(end + 1) ? end + 1 : Math.max(row + 1, end + 1 - options.overlapLines);
  }
  return windows;
}

interface Group {
  startRow: number;
  endRow: number;
  columns?: Segment['columns'];
  members: Segment[];
}

/** Merged segments: what becomes one chunk. */
export interface SegmentGroup {
  startRow: number;
  endRow: number;
  columns?: { from: number; to: number };
  path: readonly string[];
}

/**
 * Greedy merge of neighbours up to `targetChars`; a small piece (under a quarter of the target) or a leading
 * comment may stretch a group up to `maxChars` rather than stand alone as a one-line chunk.
 */
export function mergeSegments(
  source: SourceLines,
  segments: readonly Segment[],
  options: ChunkingOptions,
): SegmentGroup[] {
  const small = options.targetChars / 4;
  const leadingOnly = (group: Group) => group.members.every((member) => member.leading);
  const joinable = (group: Group, segment: Segment, stretch: boolean): boolean => {
    if (group.columns || segment.columns) return false;
    const combined = source.size(group.startRow, Math.max(group.endRow, segment.endRow));
    return combined <= options.targetChars || (stretch && combined <= options.maxChars);
  };
  // Last row of the first non-leading segment from each index on: where a doc comment's subject ends.
  const subjectEnd: number[] = [];
  for (let index = segments.length - 1; index >= 0; index--) {
    const segment = segments[index]!;
    subjectEnd[index] = segment.leading ? (subjectEnd[index + 1] ?? segment.endRow) : segment.endRow;
  }
  const groups: Group[] = [];
  for (const [index, segment] of segments.entries()) {
    const last = groups.at(-1);
    // A doc comment or header belongs to what follows it: it joins the group before only if its subject fits too.
    const startsGroup =
      segment.leading &&
      last !== undefined &&
      !leadingOnly(last) &&
      source.size(last.startRow, Math.max(last.endRow, subjectEnd[index]!)) > options.targetChars;
    const stretch =
      last !== undefined &&
      (leadingOnly(last) || source.size(last.startRow, last.endRow) < small || segmentSize(source, segment) < small);
    if (last && !startsGroup && joinable(last, segment, stretch)) {
      last.endRow = Math.max(last.endRow, segment.endRow);
      last.members.push(segment);
    } else {
      groups.push({ startRow: segment.startRow, endRow: segment.endRow, columns: segment.columns, members: [segment] });
    }
  }
  // A trailing comment with nothing after it goes back to the group before.
  const [previous, last] = groups.slice(-2);
  if (previous && last && leadingOnly(last) && last.members.every((member) => joinable(previous, member, true))) {
    previous.endRow = last.endRow;
    previous.members.push(...last.members);
    groups.pop();
  }
  return groups.map(({ members, ...range }) => ({ ...range, path: groupPath(source, members, small) }));
}

/**
 * The symbol a merged chunk is about: the common enclosing path of its substantial named members. Imports,
 * headers, closing braces and doc comments do not count, so `import …` + `class Router {` + `constructor` is
 * `Router.constructor`, while two methods together are `Router`.
 */
function groupPath(source: SourceLines, members: readonly Segment[], small: number): readonly string[] {
  const code = members.filter((member) => !member.leading);
  const named = code.filter((member) => member.path.length > 0);
  const pool = named.length > 0 ? named : code.length > 0 ? code : members;
  const substantial = pool.filter((member) => segmentSize(source, member) >= small);
  const counted = substantial.length > 0 ? substantial : pool;
  let prefix = counted[0]!.path;
  for (const member of counted.slice(1)) {
    let shared = 0;
    while (shared < prefix.length && shared < member.path.length && prefix[shared] === member.path[shared]) shared++;
    prefix = prefix.slice(0, shared);
  }
  return prefix;
}
