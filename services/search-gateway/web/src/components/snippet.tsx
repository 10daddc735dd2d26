import type { SearchResult } from '../api.js';

interface Piece {
  text: string;
  marked: boolean;
}

/** Splits the snippet into lines, each cut into marked and unmarked pieces by the highlight ranges (pure). */
export function snippetLines(snippet: string, highlights: SearchResult['highlights']): Piece[][] {
  const ranges = [...highlights].sort((a, b) => a.start - b.start);
  const lines: Piece[][] = [];
  let offset = 0;
  for (const line of snippet.split('\n')) {
    const end = offset + line.length;
    const pieces: Piece[] = [];
    let cursor = offset;
    for (const range of ranges) {
      const start = Math.max(range.start, cursor);
      const stop = Math.min(range.end, end);
      if (stop <= start) continue;
      if (start > cursor) pieces.push({ text: snippet.slice(cursor, start), marked: false });
      pieces.push({ text: snippet.slice(start, stop), marked: true });
      cursor = stop;
    }
    if (cursor < end || pieces.length === 0) pieces.push({ text: snippet.slice(cursor, end), marked: false });
    lines.push(pieces);
    offset = end + 1;
  }
  return lines;
}

export function Snippet({ result }: { result: SearchResult }) {
  const lines = snippetLines(result.snippet, result.highlights);
  return (
    <pre class="snippet">
      <code>
        {lines.map((pieces, index) => (
          <span class="line" key={index}>
            <span class="ln" aria-hidden="true">
              {result.snippetStartLine + index}
            </span>
            {pieces.map((piece, pieceIndex) =>
              piece.marked ? <mark key={pieceIndex}>{piece.text}</mark> : piece.text,
            )}
            {'\n'}
          </span>
        ))}
      </code>
    </pre>
  );
}
