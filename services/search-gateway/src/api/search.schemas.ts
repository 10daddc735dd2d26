import { z } from 'zod';
import { RepositoryName } from './common.schemas.js';

export const SearchMode = z.enum(['keyword', 'semantic', 'hybrid']).meta({ id: 'SearchMode' });
export type SearchMode = z.infer<typeof SearchMode>;

/** Fusion and paging work over a fixed candidate depth per leg, so deep offsets are bounded. */
export const MAX_SEARCH_OFFSET = 900;

export const SearchRequest = z
  .strictObject({
    query: z.string().trim().min(1).max(1000).meta({ example: 'where do we retry HTTP calls?' }),
    mode: SearchMode.default('hybrid'),
    limit: z.int().min(1).max(100).default(10),
    offset: z.int().min(0).max(MAX_SEARCH_OFFSET).default(0),
    repositories: z.array(RepositoryName).min(1).max(100).optional(),
    languages: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9_+#-]{1,40}$/, 'a lower-case language id such as "typescript"')
          .meta({ example: 'typescript' }),
      )
      .min(1)
      .max(50)
      .optional(),
    pathGlobs: z
      .array(z.string().min(1).max(300).meta({ example: 'src/**/*.ts' }))
      .min(1)
      .max(20)
      .optional()
      .describe('POSIX globs on the path relative to the repository root; a result must match one of them.'),
    groupByFile: z.boolean().default(false).describe('Keep only the best chunk of each file.'),
  })
  .meta({ id: 'SearchRequest' });
export type SearchRequest = z.infer<typeof SearchRequest>;

const LegPlacement = z
  .object({ rank: z.int().min(1), score: z.number() })
  .meta({ id: 'LegPlacement', description: "Where one leg placed the result: 1-based rank and the store's score." });

export const HighlightRange = z
  .object({ start: z.int().min(0), end: z.int().min(0) })
  .meta({ id: 'HighlightRange', description: 'Half-open range of UTF-16 code units in `snippet`.' });

export const SearchResult = z
  .object({
    repository: z.string(),
    path: z.string().describe('POSIX path relative to the repository root.'),
    startLine: z.int().min(1),
    endLine: z.int().min(1),
    language: z.string(),
    symbol: z.string().optional(),
    score: z.number().describe('Fused reciprocal-rank score in hybrid mode, the store score otherwise.'),
    snippet: z.string().describe('The best-matching lines of the chunk.'),
    snippetStartLine: z.int().min(1).describe('File line number of the first line of `snippet`.'),
    highlights: z.array(HighlightRange),
    keyword: LegPlacement.optional(),
    semantic: LegPlacement.optional(),
    symbolMatch: z
      .boolean()
      .optional()
      .describe('The chunk defines the identifier the query names: definitions rank before other results.'),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchLeg = z.enum(['keyword', 'semantic']);

export const SearchResponse = z
  .object({
    mode: SearchMode,
    tookMs: z.number(),
    results: z.array(SearchResult),
    degraded: z
      .array(SearchLeg)
      .optional()
      .describe('Legs that were unavailable: the results come from the remaining leg only.'),
    cached: z.boolean().optional(),
  })
  .meta({ id: 'SearchResponse' });
export type SearchResponse = z.infer<typeof SearchResponse>;
