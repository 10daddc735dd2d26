import type { Chunk, ScoredId, SearchFilter } from '../../domain/chunk.js';
import { compilePathGlobs, type PathGlobFilter } from '../../domain/path-globs.js';
import { ConfigError } from '../../errors.js';
import type { KeywordIndex, KeywordQuery } from '../../ports/keyword-index.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import {
  chunkIdentifiers,
  chunkWords,
  MAX_LIMIT,
  queryTerms,
  validChunks,
  validQuery,
  type QueryTerm,
} from './keyword-documents.js';

export interface PostgresKeywordIndexOptions {
  /** Close the database with the index (when nothing else shares it). */
  ownsDatabase?: boolean;
  /**
   * Most rows each OR fallback step and the fragment step look at. Bounds their cost whatever the corpus size (about
   * 15 µs a row for `ts_rank_cd`); see `search`. Default 500.
   */
  candidateCap?: number;
}

const UPSERT_BATCH = 500;
// ts_rank_cd weights for D (split content), C (content), B (path), A (symbol).
const WEIGHTS = '{0.1,0.2,0.4,1.0}';
// 1: divide by 1 + log(document length), so long chunks do not win by size; 32: rank/(rank+1), into [0, 1).
const NORMALIZATION = 33;
// Tiers keep scores monotone across steps: AND matches rank above matches of two rare terms, above matches of one,
// above fragment matches.
const AND_TIER = 3;
const PAIR_TIER = 2;
const OR_TIER = 1;
const RARE_TERMS = 4;
/** A term in this many rows (under the filter) is common: it never selects candidates while a rarer term does. */
const COMMON_TERM_ROWS = 250;
/** How long the planner's list of common lexemes is reused before it is read again. */
const COMMON_LEXEMES_TTL_MS = 60_000;

interface Hit {
  id: string;
  path: string;
  score: number;
}

function quote(lexeme: string): string {
  // Lexemes come from `queryTerms` (letters and digits only), so quoting cannot be broken out of.
  return `'${lexeme}'`;
}

/** `getUserName` matches as typed or as its words in sequence (`get <-> user <-> name`). */
function termQuery(term: QueryTerm): string {
  if (term.words.length <= 1) return quote(term.token);
  return `(${quote(term.token)} | ${term.words.map(quote).join(' <-> ')})`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The SQL filter every step shares, with its parameters starting at `$first`. */
function filterSql(filter: SearchFilter, globs: PathGlobFilter | undefined, first: number) {
  const prefixes =
    globs && !globs.prefixes.includes('') ? globs.prefixes.map((prefix) => `${escapeLike(prefix)}%`) : null;
  return {
    clause: `($${first}::text[] IS NULL OR repository = ANY($${first}::text[]))
      AND ($${first + 1}::text[] IS NULL OR language = ANY($${first + 1}::text[]))
      AND ($${first + 2}::text[] IS NULL OR path LIKE ANY($${first + 2}::text[]))`,
    params: [filter.repositories ?? null, filter.languages ?? null, prefixes],
  };
}

/**
 * Keyword search on PostgreSQL full-text search (also on PGlite): per-chunk documents in `keyword_chunks`, a
 * `simple`-config tsvector over symbol, path, content and identifier-split content, GIN-indexed, plus a trigram
 * index on identifiers for fragments.
 *
 * Query design, from measurements on 100k chunks (ENVIRONMENT.md): AND matching is fast (~1 ms) but finds nothing
 * for most natural-language queries; ranking every OR match costs 90-500 ms because `ts_rank_cd` runs on each of up
 * to 65k matching rows. So a search runs cheap steps and stops once it has `limit` results:
 *  1. AND of all terms, ranked (precise; usually enough for identifier and short queries).
 *  2. OR fallback over capped candidate sets chosen rare-term-first: one capped count per term (GIN, stops at
 *     `COMMON_TERM_ROWS`) finds the rarest terms; candidates are first rows containing two of the (up to four)
 *     rarest, then rows containing one (each set at most `candidateCap` rows), and only those are ranked against
 *     the full OR query. Common words ("the", "get") never pull in the whole corpus.
 *  3. Identifier fragments (`UserNam`) through the trigram index, also capped, for the terms that matched no whole
 *     word in step 1 or 2 only: a word the full-text index knows needs no substring search, and scoring substring
 *     matches of common words ("the") over thousands of rows was the adapter's slowest path (0.6 s). Fragment matches
 *     are scored by the share of fragments found, not `word_similarity`, which costs ~0.3 ms per row.
 */
export class PostgresKeywordIndex implements KeywordIndex {
  readonly name = 'postgres';
  private readonly candidateCap: number;
  private commonLexemes: { readAt: number; lexemes: Promise<Set<string>> } | undefined;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly options: PostgresKeywordIndexOptions = {},
  ) {
    this.candidateCap = options.candidateCap ?? 500;
  }

  async init(): Promise<void> {
    const { rows } = await this.sql.query<{ table: string | null }>(
      "SELECT to_regclass('keyword_chunks')::text AS table",
    );
    if (!rows[0]?.table) {
      throw new ConfigError('the keyword_chunks table is missing: run `myragdb db migrate` first');
    }
  }

  async upsert(chunks: readonly Chunk[]): Promise<void> {
    const valid = validChunks(chunks);
    for (let offset = 0; offset < valid.length; offset += UPSERT_BATCH) {
      const batch = valid.slice(offset, offset + UPSERT_BATCH);
      const words = batch.map(chunkWords);
      await this.sql.query(
        `INSERT INTO keyword_chunks (id, repository, path, language, document, identifiers)
         SELECT c.id, c.repository, c.path, c.language,
           setweight(to_tsvector('simple', c.symbol_text), 'A') || setweight(to_tsvector('simple', c.path_text), 'B')
             || setweight(to_tsvector('simple', c.content), 'C') || setweight(to_tsvector('simple', c.words), 'D'),
           c.identifiers
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::text[]) AS c(id, repository, path, language, symbol_text, path_text, content, words, identifiers)
         ON CONFLICT (id) DO UPDATE SET repository = excluded.repository, path = excluded.path,
           language = excluded.language, document = excluded.document, identifiers = excluded.identifiers`,
        [
          batch.map((chunk) => chunk.id),
          batch.map((chunk) => chunk.repository),
          batch.map((chunk) => chunk.path),
          batch.map((chunk) => chunk.language),
          batch.map((chunk, index) => `${chunk.symbol ?? ''} ${words[index]!.symbol}`),
          batch.map((chunk, index) => `${chunk.path} ${words[index]!.path}`),
          batch.map((chunk) => chunk.content),
          batch.map((_, index) => words[index]!.content),
          batch.map(chunkIdentifiers),
        ],
      );
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.query('DELETE FROM keyword_chunks WHERE id = ANY($1::text[])', [ids]);
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.sql.query('DELETE FROM keyword_chunks WHERE repository = $1', [repository]);
  }

  async search(query: KeywordQuery): Promise<ScoredId[]> {
    const { text, limit, filter } = validQuery(query);
    const terms = queryTerms(text);
    if (terms.length === 0 || filter.repositories?.length === 0 || filter.languages?.length === 0) return [];
    const globs = filter.pathGlobs?.length ? compilePathGlobs(filter.pathGlobs) : undefined;

    const found = new Map<string, number>();
    const take = (hits: readonly Hit[], tier: number) => {
      for (const hit of hits) {
        if (found.size >= limit) return;
        if (!found.has(hit.id) && (!globs || globs.matches(hit.path))) found.set(hit.id, tier + hit.score);
      }
    };
    // A path filter is applied after the SQL prefix pre-filter, so each step over-fetches when globs are set.
    const fetchLimit = Math.min(globs ? limit * 8 : limit, MAX_LIMIT * 8);

    const all = terms.map(termQuery);
    take(await this.ranked(all.join(' & '), undefined, filter, globs, fetchLimit), AND_TIER);
    // With one term, step 1 is that term's whole-word search: fragments only when it found nothing.
    let unmatched = found.size === 0 ? terms : [];
    if (found.size < limit && terms.length > 1) {
      const counted = await this.countTerms(terms, filter, globs);
      unmatched = terms.filter((_, index) => counted[index] === 0);
      const candidates = candidateQueries(all, counted, this.candidateCap);
      const orQuery = all.join(' | ');
      if (candidates.pairs) take(await this.ranked(orQuery, candidates.pairs, filter, globs, fetchLimit), PAIR_TIER);
      if (found.size < limit && candidates.any)
        take(await this.ranked(orQuery, candidates.any, filter, globs, fetchLimit + found.size), OR_TIER);
    }
    if (found.size < limit && unmatched.length > 0)
      take(await this.fragments(unmatched, filter, globs, fetchLimit + found.size), 0);
    return [...found].map(([id, score]) => ({ id, score }));
  }

  /** Rows matching `tsquery` (or only the capped `prefilter` candidates), ranked by `ts_rank_cd` against `tsquery`. */
  private async ranked(
    tsquery: string,
    prefilter: string | undefined,
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
    limit: number,
  ): Promise<Hit[]> {
    const where = filterSql(filter, globs, 2);
    const limitParam = where.params.length + 2;
    const params: unknown[] = [tsquery, ...where.params, limit];
    let candidates = `(SELECT id, path, document FROM keyword_chunks WHERE document @@ $1::tsquery AND ${where.clause})`;
    if (prefilter) {
      candidates = `(SELECT id, path, document FROM keyword_chunks
        WHERE document @@ $${limitParam + 1}::tsquery AND ${where.clause} LIMIT $${limitParam + 2})`;
      params.push(prefilter, this.candidateCap);
    }
    const { rows } = await this.sql.query<Hit>(
      `SELECT c.id, c.path, ts_rank_cd('${WEIGHTS}', c.document, $1::tsquery, ${NORMALIZATION}) AS score
       FROM ${candidates} AS c
       ORDER BY score DESC, c.id LIMIT $${limitParam}`,
      params,
    );
    return rows;
  }

  /**
   * Rows matching each term, counted up to `COMMON_TERM_ROWS`. A GIN scan builds the bitmap of every matching row
   * before any LIMIT applies (~3 ms for a word in half of 100k chunks), so words the planner's statistics already
   * know as common are not counted: they are given `COMMON_TERM_ROWS`. Statistics are table-wide, so a word common
   * elsewhere but rare in a filtered repository is treated as common; that only changes which candidates are read.
   */
  private async countTerms(
    terms: readonly QueryTerm[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
  ): Promise<number[]> {
    const common = await this.readCommonLexemes();
    const counted = terms.filter((term) => !common.has(term.token)).map(termQuery);
    const where = filterSql(filter, globs, 3);
    const { rows } =
      counted.length === 0
        ? { rows: [] }
        : await this.sql.query<{ hits: number }>(
            `SELECT (SELECT count(*) FROM (SELECT 1 FROM keyword_chunks
                WHERE document @@ t.query::tsquery AND ${where.clause} LIMIT $2) AS capped)::int AS hits
             FROM unnest($1::text[]) WITH ORDINALITY AS t(query, term) ORDER BY t.term`,
            [counted, COMMON_TERM_ROWS, ...where.params],
          );
    const hits = rows.map((row) => row.hits);
    return terms.map((term) => (common.has(term.token) ? COMMON_TERM_ROWS : hits.shift()!));
  }

  /**
   * Lexemes the planner's statistics (`pg_stats.most_common_elems`, kept by ANALYZE/autovacuum) put in at least
   * `COMMON_TERM_ROWS` rows; empty before the table is first analysed. Read at most once a minute.
   */
  private readCommonLexemes(): Promise<Set<string>> {
    if (!this.commonLexemes || performance.now() - this.commonLexemes.readAt > COMMON_LEXEMES_TTL_MS) {
      const lexemes = this.sql
        .query<{ lexeme: string }>(
          `SELECT u.lexeme FROM pg_stats,
             unnest(most_common_elems::text::text[], most_common_elem_freqs) AS u(lexeme, frequency)
           WHERE schemaname = current_schema() AND tablename = 'keyword_chunks' AND attname = 'document'
             AND u.lexeme IS NOT NULL
             AND u.frequency * (SELECT reltuples FROM pg_class WHERE oid = 'keyword_chunks'::regclass) >= $1`,
          [COMMON_TERM_ROWS],
        )
        .then(({ rows }) => new Set(rows.map((row) => row.lexeme)));
      this.commonLexemes = { readAt: performance.now(), lexemes };
      // A failed read is retried by the next search rather than cached.
      lexemes.catch(() => (this.commonLexemes = undefined));
    }
    return this.commonLexemes.lexemes;
  }

  /**
   * Identifier fragments (3+ characters) found inside identifiers, via the trigram index; capped like step 2. Scored
   * by the share of fragments a chunk contains, in [0, 0.99]; among equals, chunks with fewer identifiers first.
   */
  private async fragments(
    terms: readonly QueryTerm[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
    limit: number,
  ): Promise<Hit[]> {
    const fragments = terms.map((term) => term.token).filter((token) => token.length >= 3);
    if (fragments.length === 0) return [];
    const where = filterSql(filter, globs, 3);
    const { rows } = await this.sql.query<Hit>(
      `SELECT c.id, c.path,
         (SELECT count(*) FROM unnest($1::text[]) AS p WHERE c.identifiers LIKE p)::float8
           / cardinality($1::text[]) * 0.99 AS score
       FROM (SELECT id, path, identifiers FROM keyword_chunks
             WHERE identifiers LIKE ANY($1::text[]) AND ${where.clause} LIMIT $2) AS c
       ORDER BY score DESC, length(c.identifiers), c.id LIMIT $${where.params.length + 3}`,
      [fragments.map((fragment) => `%${escapeLike(fragment)}%`), this.candidateCap, ...where.params, limit],
    );
    return rows;
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1 FROM keyword_chunks LIMIT 1');
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.sql.close();
  }
}

/**
 * Candidate queries of the OR fallback from each term's capped row count. The rare terms are the rarest
 * non-common ones whose rows together fit in `cap` (at least one, at most `RARE_TERMS`): `pairs` matches two of
 * them, `any` one of them. Only when every matching term is common, `any` is the rarest of those.
 */
function candidateQueries(
  termQueries: readonly string[],
  counts: readonly number[],
  cap: number,
): { pairs?: string; any?: string } {
  const matching = counts
    .map((hits, index) => ({ hits, query: termQueries[index]! }))
    .filter((term) => term.hits > 0)
    .sort((a, b) => a.hits - b.hits);
  // `matching` is rarest first, so the rare terms are a prefix of it.
  const rare: typeof matching = [];
  let rows = 0;
  for (const term of matching) {
    rows += term.hits;
    if (term.hits >= COMMON_TERM_ROWS || rare.length === RARE_TERMS || (rows > cap && rare.length > 0)) break;
    rare.push(term);
  }
  if (rare.length === 0) return matching.length > 0 ? { any: matching[0]!.query } : {};
  const pairs = rare.flatMap((first, index) =>
    rare.slice(index + 1).map((second) => `(${first.query} & ${second.query})`),
  );
  return { ...(pairs.length > 0 ? { pairs: pairs.join(' | ') } : {}), any: rare.map((term) => term.query).join(' | ') };
}
