import type { ScoredId } from '../../../core/src/domain/chunk.js';
import { identifierWords } from '../../../core/src/domain/identifiers.js';
import {
  compareFused,
  type FusedHit,
  type FusionOptions,
  fuseReciprocalRank,
  type Leg,
} from './reciprocal-rank-fusion.js';

/** What a query asks for: a code name (`parseQuery`, `parse query`) or a question in words. */
export type QueryKind = 'identifier' | 'question';

// Words that make a short query a question ("how retry", "where pool") rather than a name written as words.
// Prepositions are not among them: names have them (`modelNamesFromRefPath`, `applyTimestampsToUpdate`).
const QUESTION_WORDS = new Set([
  'a',
  'an',
  'the',
  'how',
  'what',
  'where',
  'which',
  'why',
  'when',
  'who',
  'does',
  'do',
  'is',
  'are',
  'can',
  'should',
]);
const MAX_IDENTIFIER_WORDS = 6;

/**
 * An identifier query is one token (`parseQuery`, `Router.handle`, `parse_query`), or up to six words without a
 * question mark, an article, an auxiliary or a question word (`model names from ref path`); anything else is a
 * question.
 */
export function classifyQuery(query: string): QueryKind {
  const tokens = query.match(/[\p{L}\p{N}_$.#:]+/gu) ?? [];
  if (query.includes('?') || tokens.length > MAX_IDENTIFIER_WORDS) return 'question';
  if (tokens.length === 1) return 'identifier';
  return tokens.some((token) => QUESTION_WORDS.has(token.toLowerCase())) ? 'question' : 'identifier';
}

/** Where a candidate chunk lives, as the fusion needs it: its file (repository and path). */
export type FileOf = (id: string) => string | undefined;

export interface HybridFusionOptions extends FusionOptions {
  /** Leg weights multiplied in for identifier queries (exact names are the keyword leg's strength). */
  identifierWeights: Record<Leg, number>;
  /**
   * Weight of the file-level fusion: each leg's files ranked by their best chunk, fused like the chunks, and added
   * to every chunk of the file. 0 fuses chunks only.
   */
  fileWeight: number;
}

/** The ranks of each file in one leg's list, by first appearance (1-based). */
function fileRanks(hits: readonly ScoredId[], fileOf: FileOf): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const hit of hits) {
    const file = fileOf(hit.id);
    if (file !== undefined && !ranks.has(file)) ranks.set(file, ranks.size + 1);
  }
  return ranks;
}

/**
 * Reciprocal rank fusion of both legs at two levels, since users (and agents) judge files: a chunk scores
 * `w / (k + chunk rank)` per leg as in classic RRF, plus `fileWeight * w / (k + file rank)` per leg for its file's
 * rank in that leg (a file ranks where its best chunk does). So a file both legs find, through different chunks,
 * rises above a chunk only one leg found. Leg weights depend on the query's kind. Ties as in `compareFused`.
 */
export function fuseHybrid(
  legs: Partial<Record<Leg, readonly ScoredId[]>>,
  fileOf: FileOf,
  kind: QueryKind,
  options: HybridFusionOptions,
): FusedHit[] {
  const weights = {
    keyword: options.weights.keyword * (kind === 'identifier' ? options.identifierWeights.keyword : 1),
    semantic: options.weights.semantic * (kind === 'identifier' ? options.identifierWeights.semantic : 1),
  };
  const fused = fuseReciprocalRank(legs, { k: options.k, weights });
  if (options.fileWeight <= 0) return fused;
  const filesByLeg = (['keyword', 'semantic'] as const).flatMap((leg) => {
    const hits = legs[leg];
    return hits ? [{ weight: weights[leg], ranks: fileRanks(hits, fileOf) }] : [];
  });
  return fused
    .map((hit) => {
      const file = fileOf(hit.id);
      if (file === undefined) return hit;
      let score = hit.score;
      for (const { weight, ranks } of filesByLeg) {
        const rank = ranks.get(file);
        if (rank !== undefined) score += (options.fileWeight * weight) / (options.k + rank);
      }
      return { ...hit, score };
    })
    .sort(compareFused);
}

// A definition of `name`: `function name`, `class name`, `const name =` (not a `require`/`import`), `name(…) {`
// (method), `name: function`, `exports.name =`, `Foo.prototype.name =`, `def name`, `fn name`, `func name`,
// `interface/type/enum name`.
const NAME = String.raw`([\p{L}_$][\p{L}\p{N}_$]*)`;
const DEFINITION = new RegExp(
  [
    String.raw`\b(?:function\*?|class|interface|type|enum|def|fn|func|struct|trait)\s+${NAME}`,
    String.raw`\b(?:const|let|var)\s+${NAME}\s*=(?!\s*(?:require\s*\(|await\s+import\b|import\s*\())`,
    String.raw`^[ \t]*(?:(?:static|async|get|set|public|private|protected|export|default)\s+)*${NAME}\s*\([^)\n]*\)\s*\{`,
    // A lookahead, so `exports = function name(` still lets the `function name` alternative match after it.
    String.raw`(?:^|[.\s])${NAME}(?=\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)\n]*\)\s*=>|class\b))`,
    String.raw`(?:exports|prototype)\.${NAME}\s*=(?!\s*require\s*\()`,
  ]
    .map((pattern) => `(?:${pattern})`)
    .join('|'),
  'gmu',
);

/**
 * Lower-cased without `_` and `$`: a name's letters as `identifierWords` joins them. Final sigma lower-cases by
 * context (`ς` at the end of a word, `σ` inside), so both forms read as `σ`.
 */
function foldName(text: string): string {
  return text.toLowerCase().replace(/[_$]/g, '').replaceAll('ς', 'σ');
}

/**
 * Whether `content` defines the identifier (word-normalised, see `queryIdentifier`): a declaration, a method, a
 * property or export assigned a function or class. Chunkers do not always name the symbol (a module-level
 * `Foo.prototype.bar = function` or an object literal's method), so the definition boost reads the text as well.
 */
export function definesIdentifier(content: string, identifier: string): boolean {
  // The pattern costs ~15 µs a chunk, 100 candidates a search; a name that normalises to the identifier is in the
  // content as its letters and digits with only `_` or `$` between them, so a content without that is done first.
  if (!foldName(content).includes(foldName(identifier))) return false;
  for (const match of content.matchAll(DEFINITION)) {
    const name = match.slice(1).find((group) => group !== undefined);
    if (name && identifierWords(name).join('') === identifier) return true;
  }
  return false;
}
