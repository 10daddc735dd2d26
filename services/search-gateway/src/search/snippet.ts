/** A half-open `[start, end)` range of UTF-16 code units in `Snippet.text`. */
export interface HighlightRange {
  start: number;
  end: number;
}

export interface Snippet {
  /** The chosen lines of the chunk, joined by `\n`. */
  text: string;
  /** File line numbers (1-based, inclusive) of the first and last line in `text`. */
  startLine: number;
  endLine: number;
  highlights: HighlightRange[];
}

export interface SnippetOptions {
  maxLines: number;
  /** Longer lines (minified code) are cut so one result cannot carry a megabyte. */
  maxLineLength: number;
}

export const DEFAULT_SNIPPET: SnippetOptions = { maxLines: 6, maxLineLength: 240 };

/**
 * The window of at most `maxLines` lines of `content` that matches the most distinct `terms` (ties: the most
 * matches, then the earliest), with every term occurrence as a highlight range. With no match — typical of a
 * purely semantic hit — it is the chunk's first non-blank lines. `terms` are lower-case, longest first
 * (see `queryTerms`); matching is case-insensitive.
 */
export function buildSnippet(
  content: string,
  firstLine: number,
  terms: readonly string[],
  options: SnippetOptions = DEFAULT_SNIPPET,
): Snippet {
  const lines = content.split(/\r?\n/).map((line) => line.slice(0, options.maxLineLength));
  const pattern = termPattern(terms);
  const matches = lines.map((line) => matchLine(line, pattern));

  let best = { start: firstNonBlank(lines), distinct: 0, total: 0 };
  for (let start = 0; start < lines.length; start++) {
    if (matches[start]!.ranges.length === 0) continue; // a best window always starts on a matching line
    const window = matches.slice(start, start + options.maxLines);
    const distinct = new Set(window.flatMap((match) => match.terms)).size;
    const total = window.reduce((sum, match) => sum + match.ranges.length, 0);
    if (distinct > best.distinct || (distinct === best.distinct && total > best.total)) {
      best = { start, distinct, total };
    }
  }

  let end = Math.min(lines.length, best.start + options.maxLines);
  while (end > best.start + 1 && lines[end - 1]!.trim() === '') end--;
  const highlights: HighlightRange[] = [];
  let offset = 0;
  for (let index = best.start; index < end; index++) {
    for (const range of matches[index]!.ranges)
      highlights.push({ start: offset + range.start, end: offset + range.end });
    offset += lines[index]!.length + 1;
  }
  return {
    text: lines.slice(best.start, end).join('\n'),
    startLine: firstLine + best.start,
    endLine: firstLine + end - 1,
    highlights,
  };
}

interface LineMatch {
  terms: string[];
  ranges: HighlightRange[];
}

/**
 * One alternation of the escaped terms, longest first, so at each position the longest term wins and matches
 * never overlap (the regex engine scans each line once instead of trying every term at every position).
 */
function termPattern(terms: readonly string[]): RegExp | undefined {
  if (terms.length === 0) return undefined;
  const sorted = [...terms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}

/** Occurrences of the terms in `line`, case-insensitively (offsets valid because lower-casing kept the length). */
function matchLine(line: string, pattern: RegExp | undefined): LineMatch {
  const found: LineMatch = { terms: [], ranges: [] };
  const lower = line.toLowerCase();
  if (!pattern || lower.length !== line.length) return found;
  for (const match of lower.matchAll(pattern)) {
    found.ranges.push({ start: match.index, end: match.index + match[0].length });
    if (!found.terms.includes(match[0])) found.terms.push(match[0]);
  }
  return found;
}

function firstNonBlank(lines: readonly string[]): number {
  const index = lines.findIndex((line) => line.trim() !== '');
  return index === -1 ? 0 : index;
}
