import { Parser } from 'web-tree-sitter';
import type { Chunk } from '../../../core/src/domain/chunk.js';
import { parseValid } from '../../../core/src/validation.js';
import { chunkId, contentHash } from '../../../core/src/domain/chunk-id.js';
import { chunkingOptionsSchema, type ChunkingOptions, type ChunkingOptionsInput } from './chunking-options.js';
import { GrammarLoader } from '../grammars/grammar-loader.js';
import { GRAMMAR_RULES } from './grammar-rules.js';
import { detectLanguage } from './language-detection.js';
import { markdownSegments } from './markdown.splitter.js';
import { lineWindows, mergeSegments, SourceLines, type Segment, type SegmentGroup } from './segments.js';
import { syntaxSegments } from './syntax.splitter.js';

export interface SourceFile {
  repository: string;
  /** POSIX path relative to the repository root. */
  path: string;
  content: string;
  /** Overrides detection by file name. */
  language?: string;
}

export interface Chunker {
  readonly options: ChunkingOptions;
  /** The file's chunks in file order, ids included; none for a blank file. */
  chunk(file: SourceFile): Promise<Chunk[]>;
}

/** Languages chunked by syntax; every other language is chunked by markdown headings or line windows. */
export const SYNTAX_LANGUAGES: readonly string[] = Object.keys(GRAMMAR_RULES);

const SYMBOL_SEPARATOR: Readonly<Record<string, string>> = { markdown: ' > ' };

/**
 * Language-aware chunker: tree-sitter for code, headings for markdown, line windows for the rest. Grammars load on
 * first use; everything after that is synchronous and pure.
 */
export function createChunker(input: ChunkingOptionsInput = {}): Chunker {
  const options = parseValid(chunkingOptionsSchema, input, 'chunking options');
  const grammars = new GrammarLoader();
  let parser: Parser | undefined;

  const segmentsOf = async (source: SourceLines, content: string, language: string): Promise<Segment[]> => {
    const rules = GRAMMAR_RULES[language];
    if (rules) {
      const grammar = await grammars.load(rules);
      // One parser for every language: setLanguage + parse + walk run without an await in between.
      parser ??= new Parser();
      parser.setLanguage(grammar);
      const tree = parser.parse(content);
      if (!tree) return lineWindows(source, 0, source.count - 1, [], options);
      try {
        return syntaxSegments(tree, source, rules, options);
      } finally {
        tree.delete();
      }
    }
    if (language === 'markdown') return markdownSegments(content, source, options);
    return lineWindows(source, 0, source.count - 1, [], options);
  };

  return {
    options,
    async chunk(file) {
      if (file.content.trim().length === 0) return [];
      const language = file.language ?? detectLanguage(file.path, file.content.split('\n', 1)[0]);
      const source = new SourceLines(file.content);
      const groups = mergeSegments(source, await segmentsOf(source, file.content, language), options);
      const occurrences = new Map<string, number>();
      const chunks: Chunk[] = [];
      for (const group of groups) {
        const piece = pieceOf(source, group);
        if (!piece) continue;
        const hash = contentHash(piece.content);
        const ordinal = occurrences.get(hash) ?? 0;
        occurrences.set(hash, ordinal + 1);
        chunks.push({
          id: chunkId({ repository: file.repository, path: file.path, contentHash: hash, ordinal }),
          repository: file.repository,
          path: file.path,
          language,
          startLine: piece.startRow + 1,
          endLine: piece.endRow + 1,
          ...(group.path.length > 0 ? { symbol: group.path.join(SYMBOL_SEPARATOR[language] ?? '.') } : {}),
          content: piece.content,
          contentHash: hash,
        });
      }
      return chunks;
    },
  };
}

/** A group's text without blank lines at either end; undefined when nothing but blanks is left. */
function pieceOf(
  source: SourceLines,
  group: SegmentGroup,
): { startRow: number; endRow: number; content: string } | undefined {
  if (group.columns) {
    const content = source.lines[group.startRow]!.slice(group.columns.from, group.columns.to);
    return { startRow: group.startRow, endRow: group.endRow, content };
  }
  let { startRow, endRow } = group;
  while (startRow <= endRow && source.isBlank(startRow)) startRow++;
  while (endRow >= startRow && source.isBlank(endRow)) endRow--;
  return startRow <= endRow ? { startRow, endRow, content: source.text(startRow, endRow) } : undefined;
}
