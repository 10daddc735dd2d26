import type { Chunk, ScoredId, SearchFilter } from '../../domain/chunk.js';
import { compilePathGlobs, type PathGlobFilter } from '../../domain/path-globs.js';
import { ConfigError } from '../../errors.js';
import type { KeywordIndex, KeywordQuery } from '../../ports/keyword-index.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import {
  type Bm25Candidate,
  type Bm25Parameters,
  candidateTerms,
  type CorpusStatistics,
  DEFAULT_BM25,
  estimateFileFrequency,
  rankBm25,
  type TermStatistics,
} from './bm25.js';
import { chunkIdentifiers, chunkWords, queryWords, validChunks, validQuery } from './keyword-documents.js';

export interface PostgresKeywordIndexOptions {
  /** Close the database with the index (when nothing else shares it). */
  ownsDatabase?: boolean;
  /**
   * Most chunks a search scores (and most rows a term's frequency is counted over). Candidates are the chunks holding
   * the rarest query terms whose chunks together fit under it, so common words never pull in the whole corpus.
   * Default 300: reading a candidate's term weights is most of a search's time, and on the development set 300
   * ranks better than 1000 or 4000 (keyword questions MRR@10 0.632, 0.612, 0.599 in the adapter alone).
   */
  candidateCap?: number;
  bm25?: Bm25Parameters;
}

const UPSERT_BATCH = 500;
/**
 * Field weights of a chunk's term frequencies: each occurrence of a term in the enclosing symbol counts 4, in the
 * path 2; the content counts a term once however often it occurs, once as typed (exact identifiers, `simple`
 * lexemes) and once as stemmed words, so a plain word present in both forms counts 2. Counting content occurrences
 * ranked worse on the development set (keyword questions MRR@10 0.604 against 0.612 at 1,000 candidates, 0.618
 * against 0.632 at 300): a chunk repeating a word is rarely more about it.
 */
const FIELD_WEIGHTS = { symbol: 4, path: 2, content: 1, words: 1 } as const;
/** A term in this many rows (under the filter) counts as common: its count stops there. */
const COUNT_CAP_DEFAULT = 300;
/** How long corpus statistics and the planner's list of common lexemes are reused before they are read again. */
const STATISTICS_TTL_MS = 60_000;

interface Term {
  lexeme: string;
  /** The query tokens (lower-case) it came from, for the fragment fallback. */
  tsquery: string;
}

interface CandidateRow {
  id: string;
  repository: string;
  path: string;
  tokens: number;
  file_tokens: number;
  frequencies: number[];
}

function quote(lexeme: string): string {
  // Lexemes are letters and digits only (query tokens and their stems), so quoting cannot be broken out of.
  return `'${lexeme}'`;
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
 * Keyword search on PostgreSQL full-text search (also on PGlite) ranked by BM25. Per-chunk documents in
 * `keyword_chunks`: a tsvector (GIN) with the symbol (A), the path's words (B), the content as typed (C, `simple`:
 * exact identifiers) and the content's identifier-split words stemmed in English (D, stop words dropped); beside it
 * the chunk's length in words and its field-weighted term frequencies. `keyword_files` holds each file's length.
 *
 * A search (ts_rank_cd is not BM25, and ranking every OR match costs 90-500 ms on 100k chunks):
 *  1. The query becomes lexemes: stemmed words, exact identifiers, a short query's words run together.
 *  2. Each lexeme's chunk and file frequency under the filter, counted up to the cap (GIN); lexemes the planner's
 *     statistics know as common are estimated from those instead of counted.
 *  3. Candidates: the chunks holding the rarest lexemes, as many lexemes as fit under the cap together.
 *  4. Their frequencies and file lengths are read and `rankBm25` scores them: file BM25 + a share of chunk BM25.
 *  5. Identifier fragments (`UserNam`) through the trigram index, for tokens no chunk holds whole, ranked after.
 */
export class PostgresKeywordIndex implements KeywordIndex {
  readonly name = 'postgres';
  /** The catalog's own database; the version names the document format (v2: content terms counted once). */
  readonly store = 'postgres/bm25-v2';
  private readonly candidateCap: number;
  private readonly bm25: Bm25Parameters;
  private statistics:
    | { readAt: number; value: Promise<{ byRepository: Map<string, CorpusStatistics>; common: Map<string, number> }> }
    | undefined;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly options: PostgresKeywordIndexOptions = {},
  ) {
    this.candidateCap = options.candidateCap ?? COUNT_CAP_DEFAULT;
    this.bm25 = options.bm25 ?? DEFAULT_BM25;
  }

  async init(): Promise<void> {
    const { rows } = await this.sql.query<{ table: string | null }>(
      "SELECT to_regclass('keyword_files')::text AS table",
    );
    if (!rows[0]?.table) {
      throw new ConfigError('the keyword_files table is missing: run `myragdb db migrate` first');
    }
  }

  async upsert(chunks: readonly Chunk[]): Promise<void> {
    const valid = validChunks(chunks);
    for (let offset = 0; offset < valid.length; offset += UPSERT_BATCH) {
      const batch = valid.slice(offset, offset + UPSERT_BATCH);
      const words = batch.map(chunkWords);
      await this.sql.query(
        `WITH c AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[]) AS c(id, repository, path, language, symbol_text, path_text, content, words,
             identifiers)
         ), v AS (
           SELECT c.*, setweight(to_tsvector('simple', c.symbol_text) || to_tsvector('english', c.symbol_text), 'A') AS a,
             setweight(to_tsvector('english', c.path_text), 'B') AS b,
             setweight(to_tsvector('simple', c.content), 'C') AS cc,
             setweight(to_tsvector('english', c.words), 'D') AS d
           FROM c
         )
         INSERT INTO keyword_chunks (id, repository, path, language, document, identifiers, tokens, term_weights)
         SELECT v.id, v.repository, v.path, v.language, v.a || v.b || v.cc || v.d, v.identifiers,
           coalesce((SELECT sum(cardinality(u.positions)) FROM unnest(v.d) AS u), 0),
           coalesce((SELECT jsonb_object_agg(t.lexeme, t.weight) FROM (
             SELECT f.lexeme, sum(f.weight) AS weight FROM (
               SELECT lexeme, cardinality(positions) * ${FIELD_WEIGHTS.symbol} AS weight FROM unnest(v.a)
               UNION ALL SELECT lexeme, cardinality(positions) * ${FIELD_WEIGHTS.path} FROM unnest(v.b)
               UNION ALL SELECT lexeme, ${FIELD_WEIGHTS.content} FROM unnest(v.cc)
               UNION ALL SELECT lexeme, ${FIELD_WEIGHTS.words} FROM unnest(v.d)
             ) AS f GROUP BY f.lexeme) AS t), '{}'::jsonb)
         FROM v
         ON CONFLICT (id) DO UPDATE SET repository = excluded.repository, path = excluded.path,
           language = excluded.language, document = excluded.document, identifiers = excluded.identifiers,
           tokens = excluded.tokens, term_weights = excluded.term_weights`,
        [
          batch.map((chunk) => chunk.id),
          batch.map((chunk) => chunk.repository),
          batch.map((chunk) => chunk.path),
          batch.map((chunk) => chunk.language),
          batch.map((chunk, index) => `${chunk.symbol ?? ''} ${words[index]!.symbol}`),
          batch.map((_, index) => words[index]!.path),
          batch.map((chunk) => chunk.content),
          batch.map((_, index) => words[index]!.content),
          batch.map(chunkIdentifiers),
        ],
      );
      await this.refreshFiles(batch);
    }
    this.statistics = undefined;
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const { rows } = await this.sql.query<{ repository: string; path: string }>(
      'DELETE FROM keyword_chunks WHERE id = ANY($1::text[]) RETURNING repository, path',
      [ids],
    );
    await this.refreshFiles(rows);
    this.statistics = undefined;
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.sql.query('DELETE FROM keyword_chunks WHERE repository = $1', [repository]);
    await this.sql.query('DELETE FROM keyword_files WHERE repository = $1', [repository]);
    this.statistics = undefined;
  }

  async documentIds(repository: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ id: string }>('SELECT id FROM keyword_chunks WHERE repository = $1', [
      repository,
    ]);
    return rows.map((row) => row.id);
  }

  /** Recomputes the length of the files `touched` names from their chunks (dropping files left without any). */
  private async refreshFiles(touched: readonly { repository: string; path: string }[]): Promise<void> {
    if (touched.length === 0) return;
    const files = [...new Map(touched.map((file) => [`${file.repository}\0${file.path}`, file])).values()];
    const params = [files.map((file) => file.repository), files.map((file) => file.path)];
    await this.sql.query(
      `INSERT INTO keyword_files (repository, path, tokens, chunks)
       SELECT k.repository, k.path, sum(k.tokens), count(*)
       FROM keyword_chunks k JOIN unnest($1::text[], $2::text[]) AS f(repository, path)
         ON k.repository = f.repository AND k.path = f.path
       GROUP BY k.repository, k.path
       ON CONFLICT (repository, path) DO UPDATE SET tokens = excluded.tokens, chunks = excluded.chunks`,
      params,
    );
    await this.sql.query(
      `DELETE FROM keyword_files k USING unnest($1::text[], $2::text[]) AS f(repository, path)
       WHERE k.repository = f.repository AND k.path = f.path
         AND NOT EXISTS (SELECT 1 FROM keyword_chunks c WHERE c.repository = k.repository AND c.path = k.path)`,
      params,
    );
  }

  async search(query: KeywordQuery): Promise<ScoredId[]> {
    const { text, limit, filter } = validQuery(query);
    const words = queryWords(text);
    if (words.length === 0 || filter.repositories?.length === 0 || filter.languages?.length === 0) return [];
    const globs = filter.pathGlobs?.length ? compilePathGlobs(filter.pathGlobs) : undefined;

    const [terms, statistics] = await Promise.all([this.lexemes(words), this.readStatistics()]);
    const corpus = corpusUnder(statistics.byRepository, filter.repositories);
    if (terms.length === 0 || corpus.chunks === 0) return [];
    const counts = await this.countTerms(terms, corpus, statistics, filter, globs);
    const matched = terms
      .map((term, index) => ({ term, weight: 1, ...counts[index]! }))
      .filter((term) => term.chunkFrequency > 0);

    const hits: ScoredId[] = [];
    if (matched.length > 0) {
      const candidates = await this.candidates(matched, filter, globs);
      hits.push(...rankBm25(candidates, matched, corpus, this.bm25).slice(0, limit));
    }
    // Tokens no chunk holds as a whole word or identifier: look for them inside identifiers.
    const found = new Set(matched.map((term) => term.term.lexeme));
    const unmatched = [
      ...new Set(words.filter((word) => !word.stem && !found.has(word.text)).map((word) => word.text)),
    ];
    if (hits.length < limit && unmatched.length > 0) {
      const floor = hits.at(-1)?.score ?? 1;
      const seen = new Set(hits.map((hit) => hit.id));
      for (const hit of await this.fragments(unmatched, filter, globs, limit + hits.length)) {
        if (hits.length >= limit) break;
        if (!seen.has(hit.id)) hits.push({ id: hit.id, score: floor * hit.score });
      }
    }
    return hits;
  }

  /** The query's lexemes: stemmed words through the English dictionary (stop words vanish), exact ones as given. */
  private async lexemes(words: readonly { text: string; stem: boolean }[]): Promise<Term[]> {
    const { rows } = await this.sql.query<{ lexemes: string[] | null }>(
      `SELECT CASE WHEN w.stem THEN ts_lexize('english_stem', w.text) ELSE ARRAY[w.text] END AS lexemes
       FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS w(text, stem, position) ORDER BY w.position`,
      [words.map((word) => word.text), words.map((word) => word.stem)],
    );
    const lexemes = new Set(rows.flatMap((row) => row.lexemes ?? []).filter((lexeme) => lexeme.length > 0));
    return [...lexemes].slice(0, 16).map((lexeme) => ({ lexeme, tsquery: quote(lexeme) }));
  }

  /**
   * Chunk and file frequency of each term under the filter. Counts stop at the cap; a GIN scan builds the bitmap of
   * every matching row before any LIMIT applies, so lexemes the planner's statistics know as common are not
   * counted but estimated from those statistics (table-wide, scaled to the filtered corpus).
   */
  private async countTerms(
    terms: readonly Term[],
    corpus: CorpusStatistics,
    statistics: { byRepository: Map<string, CorpusStatistics>; common: Map<string, number> },
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
  ): Promise<Omit<TermStatistics, 'weight'>[]> {
    const counted = terms.filter((term) => !statistics.common.has(term.lexeme));
    const where = filterSql(filter, globs, 3);
    const { rows } =
      counted.length === 0
        ? { rows: [] }
        : await this.sql.query<{ chunks: number; files: number }>(
            `SELECT s.chunks, s.files FROM unnest($1::text[]) WITH ORDINALITY AS t(query, term),
             LATERAL (SELECT count(*)::int AS chunks,
               count(DISTINCT (x.repository || '/' || x.path) COLLATE "C")::int AS files
               FROM (SELECT repository, path FROM keyword_chunks
                     WHERE document @@ t.query::tsquery AND ${where.clause} LIMIT $2) AS x) AS s
             ORDER BY t.term`,
            [counted.map((term) => term.tsquery), this.candidateCap, ...where.params],
          );
    return terms.map((term) => {
      const share = statistics.common.get(term.lexeme);
      if (share !== undefined) {
        const chunkFrequency = Math.max(1, Math.round(share * corpus.chunks));
        return { chunkFrequency, fileFrequency: estimateFileFrequency(chunkFrequency, corpus) };
      }
      const row = rows.shift()!;
      if (row.chunks < this.candidateCap) return { chunkFrequency: row.chunks, fileFrequency: row.files };
      // At the cap the count is a lower bound, and the file count is estimated from it.
      return { chunkFrequency: row.chunks, fileFrequency: estimateFileFrequency(row.chunks, corpus) };
    });
  }

  /**
   * The chunks holding the rarest terms (as many terms as fit under the cap together, at least one), with their
   * length, their file's length and the frequency of every query term.
   */
  private async candidates(
    terms: readonly ({ term: Term } & Omit<TermStatistics, 'weight'>)[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
  ): Promise<Bm25Candidate[]> {
    const rare = candidateTerms(
      terms.map((term) => term.chunkFrequency),
      this.candidateCap,
    ).map((index) => terms[index]!.term.tsquery);
    const where = filterSql(filter, globs, 3);
    const lookups = terms.map((_, index) => `coalesce((k.weights ->> $${where.params.length + 3 + index})::float8, 0)`);
    // `term_weights || '{}'` behind OFFSET 0 reads (and decompresses) each row's weights once; every `->>` on the
    // column itself would read it again, which was most of this query's time.
    // A LIMIT over a term that most chunks hold makes a sequential scan look cheapest to the planner, but every row
    // it reads has its tsvector decompressed to be matched (10x the GIN bitmap's time on 10k chunks).
    const { rows: found } = await this.sql.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<CandidateRow>(
        `SELECT k.id, k.repository, k.path, k.tokens, f.tokens AS file_tokens, ARRAY[${lookups.join(', ')}] AS frequencies
       FROM (SELECT id, repository, path, tokens, term_weights || '{}'::jsonb AS weights FROM keyword_chunks
             WHERE document @@ $1::tsquery AND ${where.clause} LIMIT $2 OFFSET 0) AS k
       JOIN keyword_files f ON f.repository = k.repository AND f.path = k.path`,
        [rare.join(' | '), this.candidateCap, ...where.params, ...terms.map((term) => term.term.lexeme)],
      );
    });
    return found
      .filter((row) => !globs || globs.matches(row.path))
      .map((row) => ({
        id: row.id,
        file: `${row.repository}\0${row.path}`,
        tokens: row.tokens,
        fileTokens: Number(row.file_tokens),
        frequencies: row.frequencies.map(Number),
      }));
  }

  /**
   * Corpus size per repository (from `keyword_files`) and the lexemes the planner's statistics
   * (`pg_stats.most_common_elems`, kept by ANALYZE/autovacuum) put in at least `candidateCap` rows, with their share
   * of rows. Read at most once a minute, and again after this instance writes.
   */
  private readStatistics() {
    if (!this.statistics || performance.now() - this.statistics.readAt > STATISTICS_TTL_MS) {
      const value = Promise.all([
        this.sql.query<{ repository: string; files: number; chunks: number; tokens: number }>(
          `SELECT repository, count(*)::int AS files, sum(chunks)::int AS chunks, sum(tokens)::float8 AS tokens
           FROM keyword_files GROUP BY repository`,
        ),
        this.sql.query<{ lexeme: string; frequency: number }>(
          `SELECT u.lexeme, u.frequency::float8 AS frequency FROM pg_stats,
             unnest(most_common_elems::text::text[], most_common_elem_freqs) AS u(lexeme, frequency)
           WHERE schemaname = current_schema() AND tablename = 'keyword_chunks' AND attname = 'document'
             AND u.lexeme IS NOT NULL
             AND u.frequency * (SELECT reltuples FROM pg_class WHERE oid = 'keyword_chunks'::regclass) >= $1`,
          [this.candidateCap],
        ),
      ]).then(([repositories, common]) => ({
        byRepository: new Map(
          repositories.rows.map((row) => [
            row.repository,
            { files: row.files, chunks: row.chunks, tokens: Number(row.tokens) },
          ]),
        ),
        common: new Map(common.rows.map((row) => [row.lexeme, row.frequency])),
      }));
      this.statistics = { readAt: performance.now(), value };
      // A failed read is retried by the next search rather than cached.
      value.catch(() => (this.statistics = undefined));
    }
    return this.statistics.value;
  }

  /**
   * Identifier fragments (3+ characters) found inside identifiers, via the trigram index, capped. Scored by the
   * share of fragments a chunk contains, in [0, 0.99]; among equals, chunks with fewer identifiers first.
   */
  private async fragments(
    tokens: readonly string[],
    filter: SearchFilter,
    globs: PathGlobFilter | undefined,
    limit: number,
  ): Promise<{ id: string; path: string; score: number }[]> {
    const fragments = tokens.filter((token) => token.length >= 3);
    if (fragments.length === 0) return [];
    const where = filterSql(filter, globs, 3);
    const { rows } = await this.sql.query<{ id: string; path: string; score: number }>(
      `SELECT c.id, c.path,
         (SELECT count(*) FROM unnest($1::text[]) AS p WHERE c.identifiers LIKE p)::float8
           / cardinality($1::text[]) * 0.99 AS score
       FROM (SELECT id, path, identifiers FROM keyword_chunks
             WHERE identifiers LIKE ANY($1::text[]) AND ${where.clause} LIMIT $2) AS c
       ORDER BY score DESC, length(c.identifiers), c.id LIMIT $${where.params.length + 3}`,
      [fragments.map((fragment) => `%${escapeLike(fragment)}%`), this.candidateCap, ...where.params, limit],
    );
    return rows.filter((row) => !globs || globs.matches(row.path));
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1 FROM keyword_chunks LIMIT 1');
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.sql.close();
  }
}

/** The corpus a filter covers: the sum over its repositories (every repository when unfiltered). */
function corpusUnder(
  byRepository: ReadonlyMap<string, CorpusStatistics>,
  repositories: readonly string[] | undefined,
): CorpusStatistics {
  const total = { chunks: 0, files: 0, tokens: 0 };
  for (const [name, statistics] of byRepository) {
    if (repositories && !repositories.includes(name)) continue;
    total.chunks += statistics.chunks;
    total.files += statistics.files;
    total.tokens += statistics.tokens;
  }
  return total;
}
