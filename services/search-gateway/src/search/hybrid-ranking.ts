import type { ScoredId } from '../../../core/src/domain/chunk.js';
import { identifierWords } from '../../../core/src/domain/identifiers.js';
import { compareFused, type FusedHit, type FusionOptions, type Leg } from './reciprocal-rank-fusion.js';

/** What a query asks for: a code name (`parseQuery`, `parse query`) or a question in words. */
export type QueryKind = 'identifier' | 'question';

// Words that make a short query a question ("how retry", "where pool") rather than a name written as words.
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
  'of',
  'to',
  'in',
  'for',
  'with',
  'on',
  'from',
  'and',
  'or',
]);
const MAX_IDENTIFIER_WORDS = 4;

/**
 * An identifier query is one token (`parseQuery`, `Router.handle`, `parse_query`), or up to four words without a
 * question mark or a function word (`parse cache control header`); anything else is a question.
 */
export function classifyQuery(query: string): QueryKind {
  const tokens = query.match(/[\p{L}\p{N}_$.#:]+/gu) ?? [];
  if (tokens.length === 1) return 'identifier';
  if (query.includes('?') || tokens.length > MAX_IDENTIFIER_WORDS) return 'question';
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
  const weightOf = (leg: Leg) => options.weights[leg] * (kind === 'identifier' ? options.identifierWeights[leg] : 1);
  const byId = new Map<string, FusedHit>();
  const filesByLeg: Partial<Record<Leg, Map<string, number>>> = {};
  for (const leg of ['keyword', 'semantic'] as const) {
    const hits = legs[leg];
    if (!hits) continue;
    filesByLeg[leg] = fileRanks(hits, fileOf);
    const weight = weightOf(leg);
    hits.forEach((hit, index) => {
      let fused = byId.get(hit.id);
      if (fused?.[leg]) return; // a repeated id keeps its first (best) rank
      if (!fused) byId.set(hit.id, (fused = { id: hit.id, score: 0 }));
      fused[leg] = { rank: index + 1, score: hit.score };
      fused.score += weight / (options.k + index + 1);
    });
  }
  if (options.fileWeight > 0) {
    for (const fused of byId.values()) {
      const file = fileOf(fused.id);
      if (file === undefined) continue;
      for (const leg of ['keyword', 'semantic'] as const) {
        const rank = filesByLeg[leg]?.get(file);
        if (rank !== undefined) fused.score += (options.fileWeight * weightOf(leg)) / (options.k + rank);
      }
    }
  }
  return [...byId.values()].sort(compareFused);
}

// A definition of `name`: `function name`, `class name`, `const name =`, `name(…) {` (method), `name: function`,
// `exports.name =`, `Foo.prototype.name =`, `def name`, `fn name`, `func name`, `interface/type/enum name`.
const DEFINITION =
  /(?:\b(?:function\*?|class|interface|type|enum|def|fn|func|struct|trait|const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*))|(?:^[ \t]*(?:(?:static|async|get|set|public|private|protected|export|default)\s+)*([\p{L}_$][\p{L}\p{N}_$]*)\s*\([^)\n]*\)\s*\{)|(?:(?:^|[.\s])([\p{L}_$][\p{L}\p{N}_$]*)\s*(?::|=)\s*(?:async\s+)?(?:function\b|\([^)\n]*\)\s*=>|class\b))|(?:(?:exports|prototype|module\.exports)\.([\p{L}_$][\p{L}\p{N}_$]*)\s*=)/gmu;

/**
 * Whether `content` defines the identifier (word-normalised, see `queryIdentifier`): a declaration, a method, a
 * property or export assigned a function or class. Chunkers do not always name the symbol (a module-level
 * `Foo.prototype.bar = function` or an object literal's method), so the definition boost reads the text as well.
 */
export function definesIdentifier(content: string, identifier: string): boolean {
  for (const match of content.matchAll(DEFINITION)) {
    const name = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (name && identifierWords(name).join('') === identifier) return true;
  }
  return false;
}
