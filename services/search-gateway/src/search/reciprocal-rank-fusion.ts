import type { ScoredId } from '../../../core/src/domain/chunk.js';

/** The two retrieval legs of a hybrid search. */
export type Leg = 'keyword' | 'semantic';

/** Where one leg placed a chunk: 1-based rank and the store's own score. */
export interface LegPlacement {
  rank: number;
  score: number;
}

export interface FusedHit {
  id: string;
  /** Weighted reciprocal-rank score: the sum over legs of `weight / (k + rank)`. */
  score: number;
  keyword?: LegPlacement;
  semantic?: LegPlacement;
  /** The chunk defines the identifier the query names (see `promoteDefinitions`). */
  symbolMatch?: boolean;
}

export interface FusionOptions {
  /** Damping constant: larger k flattens the gap between top and lower ranks. 60 is the classic value. */
  k: number;
  weights: Record<Leg, number>;
}

export const DEFAULT_FUSION: FusionOptions = { k: 60, weights: { keyword: 1, semantic: 1 } };

/**
 * Reciprocal rank fusion (Cormack et al., 2009) over each leg's ranked list. Only ranks matter, so scores from
 * stores on different scales (ts_rank vs cosine similarity) never need calibrating; each hit keeps both legs'
 * rank and score so a client can see why it ranked. A leg that is absent (not queried, or down) contributes
 * nothing. Ties are broken by the best single-leg rank, then by id, so the order is deterministic.
 */
export function fuseReciprocalRank(
  legs: Partial<Record<Leg, readonly ScoredId[]>>,
  options: FusionOptions,
): FusedHit[] {
  const byId = new Map<string, FusedHit>();
  for (const leg of ['keyword', 'semantic'] as const) {
    const hits = legs[leg];
    if (!hits) continue;
    const weight = options.weights[leg];
    hits.forEach((hit, index) => {
      let fused = byId.get(hit.id);
      // A store may return the same id twice (e.g. a chunk matched in two fields); its first (best) rank counts.
      if (fused?.[leg]) return;
      if (!fused) {
        fused = { id: hit.id, score: 0 };
        byId.set(hit.id, fused);
      }
      const rank = index + 1;
      fused[leg] = { rank, score: hit.score };
      fused.score += weight / (options.k + rank);
    });
  }
  return [...byId.values()].sort(compareFused);
}

/** Fused order: score, then the best single-leg rank, then id. */
export function compareFused(a: FusedHit, b: FusedHit): number {
  return b.score - a.score || bestRank(a) - bestRank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A single leg's list as fused hits: the store's score stays the result score, the rank is its position. */
export function rankSingleLeg(leg: Leg, hits: readonly ScoredId[]): FusedHit[] {
  const seen = new Set<string>();
  const ranked: FusedHit[] = [];
  for (const hit of hits) {
    if (seen.has(hit.id)) continue;
    seen.add(hit.id);
    ranked.push({ id: hit.id, score: hit.score, [leg]: { rank: ranked.length + 1, score: hit.score } });
  }
  return ranked;
}

function bestRank(hit: FusedHit): number {
  return Math.min(hit.keyword?.rank ?? Infinity, hit.semantic?.rank ?? Infinity);
}
