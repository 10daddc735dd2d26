import { MemoryResponseCache } from '../../../core/src/adapters/response-cache/memory.response-cache.js';
import type { ResponseCache } from '../../../core/src/ports/response-cache.js';
import type { Chunk, ScoredId } from '../../../core/src/domain/chunk.js';
import { compilePathGlobs } from '../../../core/src/domain/path-globs.js';
import {
  DEFAULT_SECRET_FILE_POLICY,
  looksLikeSecret,
  type SecretFilePolicy,
} from '../../../core/src/domain/secret-files.js';
import { DependencyError, NotFoundError } from '../../../core/src/errors.js';
import type { Catalog } from '../../../core/src/ports/catalog.js';
import type { CircuitBreaker } from '../../../core/src/resilience/circuit-breaker.js';
import type { Embedder } from '../../../core/src/ports/embedder.js';
import type { KeywordIndex } from '../../../core/src/ports/keyword-index.js';
import { MAX_VECTOR_QUERY_LIMIT, type VectorIndex } from '../../../core/src/ports/vector-index.js';
import type { SearchRequest, SearchResponse, SearchResult } from '../api/search.schemas.js';
import { searchCacheKey } from '../search/cache-key.js';
import { keepBestPerFile } from '../search/group-by-file.js';
import { queryTerms } from '../search/query-terms.js';
import { promoteDefinitions, queryIdentifier, symbolNames } from '../search/definition-boost.js';
import { classifyQuery, definesIdentifier, fuseHybrid, type HybridFusionOptions } from '../search/hybrid-ranking.js';
import { type FusedHit, type Leg, rankSingleLeg } from '../search/reciprocal-rank-fusion.js';
import { buildSnippet } from '../search/snippet.js';

/** What search reads from the catalog: chunk text for hits, the repositories and their index generations. */
export type SearchCatalog = Pick<Catalog, 'getChunks' | 'indexGenerations'>;

export interface SearchTelemetry {
  searchCompleted(mode: SearchRequest['mode'], seconds: number): void;
  legCompleted(leg: 'embed' | 'keyword' | 'vector' | 'fusion', seconds: number): void;
  cacheLookup(hit: boolean): void;
  legFailed(leg: Leg, error: unknown): void;
}

export interface SearchSettings {
  fusion: HybridFusionOptions;
  /** Candidates each leg returns before fusion; fixed so a result's rank does not depend on `limit`. */
  candidateDepth: number;
  /** Extra vector candidates fetched when `pathGlobs` must be applied after the store (Chroma cannot glob). */
  pathFilterOverfetch: number;
  /** A store call slower than this counts as down: hybrid answers from the other leg. */
  legTimeoutMs: number;
  /**
   * Embedding the query, timed on its own: a busy embedder degrades the semantic leg but is not a failure of the
   * vector store, so it never counts towards (or opens) the vector store's circuit breaker.
   */
  embedTimeoutMs: number;
  cache: { maxEntries: number; ttlMs: number };
}

/** Identifier queries trust the keyword leg more: exact names are what it matches best (tuned on bench:quality). */
export const DEFAULT_IDENTIFIER_WEIGHTS: Record<Leg, number> = { keyword: 2, semantic: 1 };
/** Weight of file-level fusion next to chunk-level fusion (tuned on bench:quality). */
export const DEFAULT_FILE_WEIGHT = 1;

export const DEFAULT_SEARCH_SETTINGS: SearchSettings = {
  fusion: {
    k: 5,
    weights: { keyword: 1, semantic: 1 },
    identifierWeights: DEFAULT_IDENTIFIER_WEIGHTS,
    fileWeight: DEFAULT_FILE_WEIGHT,
  },
  candidateDepth: 100,
  pathFilterOverfetch: 4,
  legTimeoutMs: 5_000,
  embedTimeoutMs: 5_000,
  cache: { maxEntries: 1_000, ttlMs: 60_000 },
};

export interface SearchDependencies {
  catalog: SearchCatalog;
  /** Per-leg circuit breakers: a leg whose store keeps failing is skipped at once instead of timing out each time. */
  breakers?: Partial<Record<Leg, CircuitBreaker>>;
  keywordIndex: KeywordIndex;
  vectorIndex: VectorIndex;
  embedder: Embedder;
  telemetry: SearchTelemetry;
  settings: SearchSettings;
  /** A cache shared by the replicas (Redis) instead of this process' memory; `settings.cache.maxEntries` 0 turns either off. */
  cache?: ResponseCache<CachedSearchResponse>;
  /** Credential files never answered, even if an older index still holds them (the built-in list when omitted). */
  secretFiles?: SecretFilePolicy;
}

export type CachedSearchResponse = Omit<SearchResponse, 'tookMs' | 'cached'>;

/**
 * Hybrid code search over the ports: the keyword leg and the (embed → vector) leg run in parallel, reciprocal rank
 * fusion merges them, the catalog supplies chunk text for paths, lines and snippets. A leg that fails or times out
 * is reported in `degraded` and the other leg answers alone; when no leg can answer the search fails with 503.
 */
export class SearchService {
  /** Undefined when caching is off (`maxEntries` 0). */
  private readonly cache: ResponseCache<CachedSearchResponse> | undefined;

  constructor(private readonly deps: SearchDependencies) {
    const { maxEntries, ttlMs } = deps.settings.cache;
    this.cache = maxEntries > 0 ? (deps.cache ?? new MemoryResponseCache({ maxEntries, ttlMs })) : undefined;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { generation, searchable } = await this.indexSnapshot(request.repositories);
    const key = searchCacheKey(request, generation);
    const cached = await this.cache?.get(key);
    this.deps.telemetry.cacheLookup(cached !== undefined);
    if (cached) {
      const tookMs = elapsedMs(started);
      this.deps.telemetry.searchCompleted(request.mode, tookMs / 1000);
      return { ...cached, tookMs, cached: true };
    }

    const response = await this.searchUncached(request, searchable);
    // Degraded answers are not cached: the next request should try the missing leg again.
    // Not awaited: a cache never fails (a write that does not land is only a later miss) and the caller need not wait.
    if (!response.degraded) void this.cache?.set(key, response);
    const tookMs = elapsedMs(started);
    this.deps.telemetry.searchCompleted(request.mode, tookMs / 1000);
    return { ...response, tookMs };
  }

  /**
   * The generation of every repository the search covers (one string, the cache key's prefix) and those of them
   * that have been indexed at least once (the vector leg's collections). Unknown repository filters are a 404.
   */
  private async indexSnapshot(
    filter: readonly string[] | undefined,
  ): Promise<{ generation: string; searchable: string[] }> {
    const generations = await this.deps.catalog.indexGenerations(filter);
    const unknown = (filter ?? []).filter((name) => !generations.has(name));
    if (unknown.length > 0) {
      throw new NotFoundError(`unknown repository: ${unknown.join(', ')}`, { details: { repositories: unknown } });
    }
    const sorted = [...generations].sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      generation: sorted.map(([name, generation]) => `${name}@${generation}`).join(','),
      searchable: sorted.filter(([, generation]) => generation > 0).map(([name]) => name),
    };
  }

  private async searchUncached(request: SearchRequest, searchable: string[]): Promise<CachedSearchResponse> {
    const { settings } = this.deps;
    const wanted = request.offset + request.limit;
    const depth = Math.max(settings.candidateDepth, wanted);
    const legs: Leg[] = request.mode === 'hybrid' ? ['keyword', 'semantic'] : [request.mode];

    const running = legs.map((leg) =>
      leg === 'keyword'
        ? this.storeCall('keyword', () => this.keywordLeg(request, depth))
        : this.semanticLeg(request, depth, searchable),
    );
    const prefetched = this.prefetchChunks(running);
    const outcomes = await Promise.allSettled(running);
    const answered: Partial<Record<Leg, ScoredId[]>> = {};
    const degraded: Leg[] = [];
    outcomes.forEach((outcome, index) => {
      const leg = legs[index]!;
      if (outcome.status === 'fulfilled') answered[leg] = outcome.value;
      else {
        degraded.push(leg);
        this.deps.telemetry.legFailed(leg, outcome.reason);
      }
    });
    if (degraded.length === legs.length) {
      throw new DependencyError(
        degraded.join('+'),
        `search is unavailable: the ${degraded.join(' and ')} store cannot be reached`,
      );
    }

    const chunks = await this.readChunks(Object.values(answered), prefetched);
    const fusionStarted = performance.now();
    const fileOf = (id: string) => {
      const chunk = chunks.get(id);
      return chunk && `${chunk.repository}\u0000${chunk.path}`;
    };
    const fused =
      request.mode === 'hybrid'
        ? fuseHybrid(answered, fileOf, classifyQuery(request.query), settings.fusion)
        : rankSingleLeg(request.mode, answered[request.mode] ?? []);
    const results = this.page(fused, request, chunks);
    this.deps.telemetry.legCompleted('fusion', (performance.now() - fusionStarted) / 1000);

    return {
      mode: request.mode,
      results,
      ...(degraded.length > 0 ? { degraded } : {}),
    };
  }

  private async keywordLeg(request: SearchRequest, depth: number): Promise<ScoredId[]> {
    const started = performance.now();
    const hits = await this.deps.keywordIndex.search({
      text: request.query,
      limit: depth,
      filter: { repositories: request.repositories, languages: request.languages, pathGlobs: request.pathGlobs },
    });
    this.deps.telemetry.legCompleted('keyword', (performance.now() - started) / 1000);
    return hits;
  }

  /** One call to a leg's store, under the leg's timeout and circuit breaker. */
  private storeCall<T>(leg: Leg, work: () => Promise<T>): Promise<T> {
    const run = () => withTimeout(work(), this.deps.settings.legTimeoutMs, leg, `${leg} leg`);
    const breaker = this.deps.breakers?.[leg];
    return breaker ? breaker.execute(run) : run();
  }

  private async semanticLeg(request: SearchRequest, depth: number, repositories: string[]): Promise<ScoredId[]> {
    if (repositories.length === 0) return [];
    const embedStarted = performance.now();
    const [embedding] = await withTimeout(
      this.deps.embedder.embed([request.query]),
      this.deps.settings.embedTimeoutMs,
      'embedder',
      'embedding the query',
    );
    const vectorStarted = performance.now();
    this.deps.telemetry.legCompleted('embed', (vectorStarted - embedStarted) / 1000);
    if (!embedding) return [];
    const hits = await this.storeCall('semantic', () =>
      this.deps.vectorIndex.query({
        embedding,
        // Over-fetch for the globs applied after the store, but never past what a vector query takes.
        limit: request.pathGlobs
          ? Math.min(depth * this.deps.settings.pathFilterOverfetch, MAX_VECTOR_QUERY_LIMIT)
          : depth,
        repositories,
        ...(request.languages ? { languages: request.languages } : {}),
      }),
    );
    this.deps.telemetry.legCompleted('vector', (performance.now() - vectorStarted) / 1000);
    return hits;
  }

  /**
   * Starts the catalog read of each leg's candidates as soon as that leg answers, so the faster leg's rows are read
   * while the slower leg is still running (ids another leg already asked for are not read twice). Whatever this
   * misses, for example after a failed read, `hydrate` reads itself.
   */
  private prefetchChunks(running: readonly Promise<ScoredId[]>[]): Promise<Chunk[]>[] {
    const requested = new Set<string>();
    return running.map((leg) =>
      leg
        .then((hits) => {
          const ids = hits.map((hit) => hit.id).filter((id) => !requested.has(id));
          for (const id of ids) requested.add(id);
          return this.deps.catalog.getChunks(ids);
        })
        .catch(() => []),
    );
  }

  /**
   * The catalog rows of every candidate (read by primary key, so the cost does not grow with the corpus; mostly
   * prefetched while the legs ran). Ids a store still had but the catalog no longer has (deleted since) are absent.
   */
  private async readChunks(
    legs: readonly ScoredId[][],
    prefetched: readonly Promise<Chunk[]>[],
  ): Promise<Map<string, Chunk>> {
    const chunks = new Map((await Promise.all(prefetched)).flat().map((chunk) => [chunk.id, chunk]));
    const missing = [...new Set(legs.flat().map((hit) => hit.id))].filter((id) => !chunks.has(id));
    for (const chunk of await this.deps.catalog.getChunks(missing)) chunks.set(chunk.id, chunk);
    return chunks;
  }

  /**
   * Turns ranked ids into the page of results: the filters the stores may not have applied (path globs on the
   * vector leg, and a second check of every filter), definitions first for an identifier query (in every mode),
   * grouping, and the page. Snippets are built for the page only.
   */
  private page(
    ranked: readonly FusedHit[],
    request: SearchRequest,
    chunks: ReadonlyMap<string, Chunk>,
  ): SearchResult[] {
    const pathMatches = request.pathGlobs && compilePathGlobs(request.pathGlobs).matches;
    const repositories = request.repositories && new Set(request.repositories);
    const languages = request.languages && new Set(request.languages);
    const secrets = this.deps.secretFiles ?? DEFAULT_SECRET_FILE_POLICY;
    let candidates = ranked
      .map((hit) => ({ ...hit, chunk: chunks.get(hit.id)! }))
      .filter(
        ({ chunk }) =>
          chunk !== undefined &&
          (!repositories || repositories.has(chunk.repository)) &&
          (!languages || languages.has(chunk.language)) &&
          (!pathMatches || pathMatches(chunk.path)) &&
          !secrets.isSecretPath(chunk.path) &&
          !looksLikeSecret(chunk.content),
      );
    const identifier = queryIdentifier(request.query);
    if (identifier) {
      candidates = promoteDefinitions(
        candidates,
        ({ chunk }) => symbolNames(chunk.symbol, identifier) || definesIdentifier(chunk.content, identifier),
      );
    }
    if (request.groupByFile)
      candidates = keepBestPerFile(
        candidates.map((hit) => ({ ...hit, repository: hit.chunk.repository, path: hit.chunk.path })),
      );
    const terms = queryTerms(request.query);
    return candidates
      .slice(request.offset, request.offset + request.limit)
      .map((hit) => toResult(hit, hit.chunk, terms));
  }
}

function toResult(hit: FusedHit, chunk: Chunk, terms: readonly string[]): SearchResult {
  const snippet = buildSnippet(chunk.content, chunk.startLine, terms);
  return {
    repository: chunk.repository,
    path: chunk.path,
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    language: chunk.language,
    ...(chunk.symbol ? { symbol: chunk.symbol } : {}),
    score: hit.score,
    snippet: snippet.text,
    snippetStartLine: snippet.startLine,
    highlights: snippet.highlights,
    ...(hit.keyword ? { keyword: hit.keyword } : {}),
    ...(hit.semantic ? { semantic: hit.semantic } : {}),
    ...(hit.symbolMatch ? { symbolMatch: true } : {}),
  };
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, dependency: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DependencyError(dependency, `${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
