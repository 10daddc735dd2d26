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
   * Most rows the OR fallback and the fragment step look at. Bounds their cost whatever the corpus size; see
   * `search`. Default 2,000.
   */
  candidateCap?: number;
}

const UPSERT_BATCH = 500;
// ts_rank_cd weights for D (split content), C (content), B (path), A (symbol).
const WEIGHTS = '{0.1,0.2,0.4,1.0}';
// 1: divide by 1 + log(document length), so long chunks do not win by size; 32: rank/(rank+1), into [0, 1).
const NORMALIZATION = 33;
// Tiers keep scores monotone across steps: every AND match ranks above every OR match, above every fragment match.
const AND_TIER = 2;
const OR_TIER = 1;
const RARE_TERMS = 3;

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
 *  2. OR fallback over a capped candidate set chosen rare-term-first: one capped count per term (GIN, stops at the
 *     cap) finds the rarest terms; candidates are rows containing one of them (at most `candidateCap`), and only
 *     those are ranked against the full OR query. Common words ("the", "get") never pull in the whole corpus.
 *  3. Identifier fragments (`UserNam`) through the trigram index, also capped.
 */
export class PostgresKeywordIndex implements KeywordIndex {
  readonly name = 'postgres';
  private readonly candidateCap: number;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly options: PostgresKeywordIndexOptions = {},
  ) {
    this.candidateCap = options.candidateCap ?? 2_000;
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
    if (found.size < limit && terms.length > 1) {
      const prefilter = await this.rareTermsQuery(all, filter, globs);
      if (prefilter)
        take(await this.ranked(all.join(' | '), prefilter, filter, globs, fetchLimit + found.size), OR_TIER);
    }
    if (found.size < limit) take(await this.fragments(terms, filter, globs, fetchLimit + found.size), 0);
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

  /** OR of the (up to three) rarest matching terms, from one capped count per term; undefined when none match. */
  private async rareTermsQuery(
    termQueries: readonly string[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
  ): Promise<string | undefined> {
    const where = filterSql(filter, globs, 3);
    const { rows } = await this.sql.query<{ term: number; hits: number }>(
      `SELECT t.term::int AS term,
         (SELECT count(*) FROM (SELECT 1 FROM keyword_chunks
            WHERE document @@ t.query::tsquery AND ${where.clause} LIMIT $2) AS capped)::int AS hits
       FROM unnest($1::text[]) WITH ORDINALITY AS t(query, term)`,
      [termQueries, this.candidateCap, ...where.params],
    );
    const matching = rows.filter((row) => row.hits > 0).sort((a, b) => a.hits - b.hits || a.term - b.term);
    if (matching.length === 0) return undefined;
    const rare = matching.filter((row) => row.hits < this.candidateCap).slice(0, RARE_TERMS);
    const chosen = rare.length > 0 ? rare : matching.slice(0, 1);
    return chosen.map((row) => termQueries[row.term - 1]!).join(' | ');
  }

  /** Identifier fragments (3+ characters) found inside identifiers, via the trigram index; capped like step 2. */
  private async fragments(
    terms: readonly QueryTerm[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
    limit: number,
  ): Promise<Hit[]> {
    const fragments = terms.map((term) => term.token).filter((token) => token.length >= 3);
    if (fragments.length === 0) return [];
    const where = filterSql(filter, globs, 4);
    const { rows } = await this.sql.query<Hit>(
      `SELECT c.id, c.path,
         (SELECT max(word_similarity(f, c.identifiers)) FROM unnest($1::text[]) AS f) * 0.99 AS score
       FROM (SELECT id, path, identifiers FROM keyword_chunks
             WHERE identifiers LIKE ANY($2::text[]) AND ${where.clause} LIMIT $3) AS c
       ORDER BY score DESC, c.id LIMIT $${where.params.length + 4}`,
      [fragments, fragments.map((fragment) => `%${escapeLike(fragment)}%`), this.candidateCap, ...where.params, limit],
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
