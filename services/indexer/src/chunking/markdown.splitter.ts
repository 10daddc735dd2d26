import MarkdownIt from 'markdown-it';
import type { ChunkingOptions } from './chunking-options.js';
import { lineWindows, type Segment, type SourceLines } from './segments.js';

// Block structure is all we need: inline parsing (links, emphasis) would cost most of the time.
const markdown = new MarkdownIt('commonmark');
markdown.core.ruler.disable(['inline', 'text_join']);

/**
 * Markdown split into sections at every top-level heading (a `#` inside a code fence is not one); a section's
 * path is its heading trail, e.g. `['Install', 'Linux']`. Sections larger than the maximum are split by lines.
 */
export function markdownSegments(content: string, source: SourceLines, options: ChunkingOptions): Segment[] {
  const tokens = markdown.parse(content, {});
  const starts: Array<{ row: number; path: readonly string[] }> = [{ row: 0, path: [] }];
  const trail: Array<{ depth: number; text: string }> = [];
  tokens.forEach((token, index) => {
    if (token.type !== 'heading_open' || token.level !== 0 || !token.map) return;
    const depth = Number(token.tag.slice(1));
    const row = token.map[0];
    while (trail.length > 0 && trail.at(-1)!.depth >= depth) trail.pop();
    trail.push({ depth, text: tokens[index + 1]?.content.trim() ?? '' });
    const path = trail.map((entry) => entry.text);
    if (row === 0) starts[0] = { row, path };
    else starts.push({ row, path });
  });
  const segments: Segment[] = [];
  starts.forEach(({ row, path }, index) => {
    const endRow = (starts[index + 1]?.row ?? source.count) - 1;
    if (source.size(row, endRow) <= options.maxChars) segments.push({ startRow: row, endRow, path, leading: false });
    else segments.push(...lineWindows(source, row, endRow, path, options));
  });
  return segments;
}
