/**
 * `npm run bench:search`: search latency of the gateway per mode, server-side (`tookMs`) and client-side (HTTP round
 * trip on loopback), with 1 and 8 concurrent clients, side by side with the raw latency of each building block alone
 * (query embedding, Chroma query, keyword query) and a ripgrep search over the same files: the baseline a user would
 * otherwise reach for. Real stores: PostgreSQL (PG_URL, one database per corpus size), Chroma (CHROMA_URL, or the
 * npm-packaged server started here), the default embedder (all-MiniLM-L6-v2 int8, as the indexer and gateway build it)
 * and the keyword engine of KEYWORD_ENGINE: Postgres full-text search
 * (default) or Meilisearch (`KEYWORD_ENGINE=meilisearch` with MEILI_URL and MEILI_API_KEY; each size has its own
 * index prefix and shares its catalog and vectors with the Postgres runs). The search cache is off.
 * `floor:` rows time what no keyword search can go below: the catalog read the gateway makes of the keyword
 * candidates and, on Meilisearch, the adapter's two requests without the candidates' fields (see
 * `meilisearchFloorProbe`).
 * `BENCH_KEYWORD_ONLY=1` indexes and measures the keyword leg only (no embedding, no semantic or hybrid rows): minutes
 * instead of hours for a new corpus size or engine.
 *
 * Corpus sizes in chunks: BENCH_CHUNKS (default `10000,100000`), each built by `search-corpus.ts` from real source.
 * The first run of a size indexes it, vectors included: the default embedder takes ~30 chunks/s on 2 idle cores, so
 * 100k chunks take ~1 h once. Embeddings already computed in another size's database are copied, not recomputed; later runs
 * only re-measure.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { createPostgresCatalog } from '../../services/core/src/adapters/catalog/postgres.catalog.js';
import { createEmbedder } from '../../services/core/src/adapters/embedder/create-embedder.js';
import { PgSqlDatabase } from '../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../services/core/src/config/load-config.js';
import { migrate } from '../../services/core/src/db/migrate.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../services/indexer/src/indexer-runtime.js';
import { createLogger } from '../../services/core/src/logging.js';
import type { Embedder } from '../../services/core/src/ports/embedder.js';
import { type ChromaChild, startChromaChild } from '../../services/cli/src/local/chroma-server.js';
import type { SearchResponse } from '../../services/search-gateway/src/api/search.schemas.js';
import { freePort, waitForHttp } from '../support/ports.js';
import { type Agent, request } from 'undici';
import { candidateTerms } from '../../services/core/src/adapters/keyword-index/bm25.js';
import { queryLexemes } from '../../services/core/src/adapters/keyword-index/english-lexemes.js';
import {
  CANDIDATE_CAP,
  countRequestDispatcher,
  keywordIndexUid,
  ONE_CONNECTION_PER_REQUEST,
} from '../../services/core/src/adapters/keyword-index/meilisearch.keyword-index.js';
import { lexemeQuery } from '../../services/core/src/adapters/keyword-index/meilisearch.query.js';
import { searchCorpus } from './search-corpus.js';

const run = promisify(execFile);
const REPOSITORY = 'bench';
const SIZES = z
  .array(z.coerce.number().int().min(1000))
  .min(1)
  .parse((process.env.BENCH_CHUNKS ?? '10000,100000').split(','));
const KEY = 'bench-admin-key-2f8c1d7e9a4b6053c1e8';
const ENGINE = z.enum(['postgres', 'meilisearch']).parse(process.env.KEYWORD_ENGINE ?? 'postgres');
const ENGINE_LABEL = ENGINE === 'postgres' ? 'Postgres FTS' : 'Meilisearch';
const KEYWORD_ONLY = process.env.BENCH_KEYWORD_ONLY === '1';
const MODES = KEYWORD_ONLY ? ['keyword'] : ['keyword', 'semantic', 'hybrid'];
const QUESTIONS = [
  'parse command line arguments',
  'validate options against a schema',
  'retry a failed request',
  'escape html entities',
  'compare two arrays deeply',
  'format a date as a string',
  'read a file from disk',
  'walk an abstract syntax tree',
  'report a lint problem with its location',
  'merge configuration objects',
  'route an http request to a handler',
  'serialize an object to JSON',
  'connection pool to the database',
  'compile a regular expression',
  'resolve a module path',
  'cache results in a map',
  'emit events to listeners',
  'convert camel case names',
  'check if a value is a plain object',
  'parse a url query string',
  'throw an error for invalid input',
  'collect metrics in a histogram',
  'log a message with a level',
  'find the scope of a variable',
  'fix a problem automatically',
];
const STOP = new Set(['the', 'and', 'for', 'with', 'from', 'its', 'into', 'that', 'this']);

interface Stats {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

function percentiles(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length };
}

/** `clients` loops, each running every query once in its own rotated order. */
async function concurrently<T>(
  items: readonly T[],
  clients: number,
  work: (item: T) => Promise<number | void>,
): Promise<{ client: number[]; server: number[] }> {
  const client: number[] = [];
  const server: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, offset) => {
      for (let index = 0; index < items.length; index++) {
        const item = items[(index + offset * 7) % items.length]!;
        const started = performance.now();
        const serverMs = await work(item);
        client.push(performance.now() - started);
        if (typeof serverMs === 'number') server.push(serverMs);
      }
    }),
  );
  return { client, server };
}

function row(label: string, stats: Stats, note = ''): string {
  const f = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
  return `| ${label} | ${f(stats.p50)} | ${f(stats.p95)} | ${f(stats.p99)} | ${stats.n} | ${note} |`;
}

/**
 * The database of one corpus size, whatever the keyword engine: on a catalog indexed with the other engine, the
 * first sync writes the keyword documents into this one from the catalog (nothing is read or embedded again).
 */
const benchDatabase = (size: number) => `myragdb_bench_search_${size}`;

/** The keyword engine's settings for one corpus size: its own Meilisearch index. */
function keywordEngineEnv(size: number): Record<string, string> {
  if (ENGINE === 'postgres') return { KEYWORD_ENGINE: 'postgres' };
  if (!process.env.MEILI_URL) throw new Error('KEYWORD_ENGINE=meilisearch needs MEILI_URL (and MEILI_API_KEY)');
  return {
    KEYWORD_ENGINE: 'meilisearch',
    MEILI_URL: process.env.MEILI_URL,
    ...(process.env.MEILI_API_KEY ? { MEILI_API_KEY: process.env.MEILI_API_KEY } : {}),
    MEILI_INDEX_PREFIX: `myragdb_bench${size}_`,
  };
}

/**
 * The least a keyword search on Meilisearch costs for a query, measured per query: the adapter's two requests as it
 * sends them (every lexeme's chunk count, no hits; then the candidates, the chunks of the rarest lexemes up to 300)
 * but with the candidates' ids only, no other field, and nothing ranked here. Meilisearch spends ~13 µs on each hit
 * it returns whatever the document holds (measured on an index of 5-byte documents too), so these two requests set
 * the floor under the adapter's latency. Undefined for the Postgres engine.
 */
function meilisearchFloorProbe(
  size: number,
): ((query: string) => Promise<{ counts: number; hits: number }>) | undefined {
  if (ENGINE !== 'meilisearch') return undefined;
  const uid = keywordIndexUid(keywordEngineEnv(size).MEILI_INDEX_PREFIX);
  // On the adapter's connections: its count request's, then a new one for the candidates.
  const multiSearch = async (queries: object[], dispatcher: Agent): Promise<Array<{ totalHits?: number }>> => {
    const response = await request(new URL('/multi-search', process.env.MEILI_URL).toString(), {
      method: 'POST',
      dispatcher,
      headers: {
        'Content-Type': 'application/json',
        ...(process.env.MEILI_API_KEY ? { Authorization: `Bearer ${process.env.MEILI_API_KEY}` } : {}),
      },
      body: JSON.stringify({ queries }),
    });
    const body = (await response.body.json()) as { results?: Array<{ totalHits?: number }> };
    if (response.statusCode !== 200 || !body.results) throw new Error(`Meilisearch answered ${response.statusCode}`);
    return body.results;
  };
  return async (query) => {
    const lexemes = queryLexemes(query);
    const started = performance.now();
    const counts = (
      await multiSearch(
        lexemes.map((lexeme) => ({ indexUid: uid, q: lexemeQuery(lexeme), page: 1, hitsPerPage: 0 })),
        countRequestDispatcher(lexemes.length),
      )
    ).map((result) => result.totalHits ?? 0);
    const counted = performance.now();
    await multiSearch(
      candidateTerms(counts, CANDIDATE_CAP).map((index) => ({
        indexUid: uid,
        q: lexemeQuery(lexemes[index]!),
        page: 1,
        hitsPerPage: Math.min(counts[index]!, CANDIDATE_CAP),
        attributesToRetrieve: ['id'],
      })),
      ONE_CONNECTION_PER_REQUEST,
    );
    return { counts: counted - started, hits: performance.now() - counted };
  };
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Indexes the corpus of `size` chunks into its own database and Chroma collection (nothing when already done).
 * Between the keyword phase and the vector phase, embeddings the other sizes' databases already hold for these
 * contents are copied into this one's embedding cache, so the vector phase only embeds what is new.
 */
async function prepareIndex(
  size: number,
  adminUrl: string,
  deps: { embedder: Embedder; logger: ReturnType<typeof createLogger>; env: Record<string, string> },
): Promise<{ sql: PgSqlDatabase; indexer: IndexerRuntime; corpus: string; collectionPrefix: string }> {
  const admin = new PgSqlDatabase({ url: adminUrl, poolSize: 1, applicationName: 'bench-admin' });
  const { rows: databases } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'myragdb\\_bench\\_search\\_%'",
  );
  const database = benchDatabase(size);
  if (!databases.some((row) => row.datname === database)) await admin.query(`CREATE DATABASE ${database}`);
  await admin.close();
  const sql = new PgSqlDatabase({
    url: databaseUrl(adminUrl, database),
    poolSize: 10,
    applicationName: 'bench-search',
  });
  await migrate(sql);
  const collectionPrefix = `bench${size}-`;
  const config = loadConfig({ ...deps.env, ...keywordEngineEnv(size) });
  const indexer = await createIndexerRuntime({
    config,
    embedder: deps.embedder,
    logger: deps.logger,
    sql,
    collectionPrefix,
  });
  const corpus = await searchCorpus(size);
  const known = await indexer.catalog.listRepositories();
  if (!known.some((repository) => repository.name === REPOSITORY)) {
    await indexer.catalog.createRepository({ name: REPOSITORY, source: { type: 'local', path: corpus.directory } });
  }
  const started = performance.now();
  let lastLine = 0;
  const sync = (signal?: AbortSignal, onVectors?: () => void) =>
    indexer.indexer.syncRepository(REPOSITORY, {
      ...(signal ? { signal } : {}),
      onProgress: (progress) => {
        if (progress.phase === 'vectors') onVectors?.();
        if (performance.now() - lastLine > 30_000) {
          lastLine = performance.now();
          console.error(`${size} chunks, indexing: ${JSON.stringify(progress)}`);
        }
      },
    });
  const keywordPhase = new AbortController();
  await sync(keywordPhase.signal, () => keywordPhase.abort()).catch((error: unknown) => {
    if (!keywordPhase.signal.aborted) throw error;
  });
  const others = KEYWORD_ONLY ? [] : databases.map((row) => row.datname).filter((name) => name !== database);
  for (const other of others) {
    const source = new PgSqlDatabase({
      url: databaseUrl(adminUrl, other),
      poolSize: 1,
      applicationName: 'bench-cache-copy',
    });
    const cache = createPostgresCatalog(source);
    let copied = 0;
    for (
      let after: string | undefined, page;
      (page = await indexer.catalog.listPendingVectors(REPOSITORY, after, 1000)).length > 0;
      after = page.at(-1)!.id
    ) {
      const found = await cache.getCachedEmbeddings(
        deps.embedder.modelId,
        page.map((chunk) => chunk.contentHash),
      );
      await indexer.catalog.putCachedEmbeddings(deps.embedder.modelId, found);
      copied += found.size;
    }
    await source.close();
    if (copied > 0) console.error(`${size} chunks: ${copied} embeddings copied from ${other}`);
  }
  const result = KEYWORD_ONLY ? { reindexed: 0 } : await sync();
  const stats = await indexer.catalog.stats(REPOSITORY);
  console.error(
    `${size} chunks: index ready in ${((performance.now() - started) / 1000).toFixed(0)} s: ${stats.files} files, ${stats.chunks} chunks (${result.reindexed} files reindexed)`,
  );
  return { sql, indexer, corpus: corpus.directory, collectionPrefix };
}

async function main(): Promise<void> {
  const adminUrl = process.env.PG_URL;
  if (!adminUrl) throw new Error('PG_URL must point at a PostgreSQL server');
  const chroma = process.env.CHROMA_URL
    ? undefined
    : await startChromaChild(join(tmpdir(), 'myragdb-bench-search-chroma'));
  chromaChild = chroma;
  const logger = createLogger({ service: 'bench', level: 'warn', format: 'pretty' });
  const chromaUrl = process.env.CHROMA_URL ?? chroma!.url;
  const env = { CHROMA_URL: chromaUrl, LOG_LEVEL: 'warn', INDEXER_SYNC_INTERVAL_SECONDS: '0' };
  // As deployed: the indexer embeds on background worker threads, the gateway embeds queries on a thread of its own;
  // the raw query-embedding rows use a search embedder like the gateway's.
  const config = loadConfig(env);
  const embedder = await createEmbedder(config, { logger }, 'indexing');
  const queryEmbedder = await createEmbedder(config, { logger }, 'search');
  for (const size of SIZES) {
    const { sql, indexer, corpus, collectionPrefix } = await prepareIndex(size, adminUrl, { env, embedder, logger });
    console.log(`\n### ${size} chunks, keyword engine ${ENGINE_LABEL}${KEYWORD_ONLY ? ', keyword leg only' : ''}\n`);
    const gateway = await startGateway({
      DATABASE_URL: databaseUrl(adminUrl, benchDatabase(size)),
      CHROMA_URL: chromaUrl,
      CHROMA_COLLECTION_PREFIX: collectionPrefix,
      ...keywordEngineEnv(size),
    });
    try {
      console.log(
        await measure({
          sql,
          indexer,
          corpus,
          embedder: queryEmbedder,
          gateway,
          meilisearchFloor: meilisearchFloorProbe(size),
        }),
      );
    } finally {
      await gateway.stop();
    }
    await indexer.close();
    await sql.close();
  }
  await embedder.close();
  await queryEmbedder.close();
  await chroma?.stop();
}

interface GatewayProcess {
  url: string;
  /** Resident and peak resident memory of the gateway process, in MB. */
  memory(): Promise<{ rssMb: number; peakMb: number }>;
  stop(): Promise<void>;
}

/**
 * The search gateway as users run it: its own process from the compiled entrypoint (`npm run build`) with the
 * container image's Node options, one embedder thread, listening on loopback. Rate limits are lifted and the cache
 * is off so every request reaches the stores.
 */
async function startGateway(stores: Record<string, string>): Promise<GatewayProcess> {
  const entrypoint = join(process.cwd(), 'dist/services/search-gateway/src/main.js');
  const dockerfile = await readFile(join(process.cwd(), 'docker/Dockerfile'), 'utf8');
  const port = await freePort();
  const child = spawn(process.execPath, [entrypoint], {
    env: {
      PATH: process.env.PATH,
      // The image's Node options (V8 heap sizing), so memory is measured as deployed.
      NODE_OPTIONS: /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1] ?? '',
      ...stores,
      PORT: String(port),
      HOST: '127.0.0.1',
      MYRAGDB_API_KEY: KEY,
      LOG_LEVEL: 'warn',
      SEARCH_CACHE_MAX_ENTRIES: '0',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_REQUESTS_PER_HOUR: '1000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: '1000000',
      RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/v1/health/ready`, 60_000, () => child.exitCode === null);
  return {
    url,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(deps: {
  sql: PgSqlDatabase;
  indexer: IndexerRuntime;
  corpus: string;
  embedder: Embedder;
  gateway: GatewayProcess;
  meilisearchFloor: ReturnType<typeof meilisearchFloorProbe>;
}): Promise<string> {
  const { sql, indexer, corpus, embedder, gateway, meilisearchFloor } = deps;
  const stats = await indexer.catalog.stats(REPOSITORY);
  const { rows } = await sql.query<{ symbol: string }>(
    `SELECT DISTINCT ON (md5(symbol)) symbol FROM chunks
      WHERE repository = $1 AND symbol ~ '^[A-Za-z_][A-Za-z0-9_]{5,}$' ORDER BY md5(symbol) LIMIT 25`,
    [REPOSITORY],
  );
  const queries = [...rows.map((row) => row.symbol), ...QUESTIONS];

  const search = async (query: string, mode: string): Promise<number> => {
    const response = await fetch(`${gateway.url}/api/v1/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query, mode, limit: 10 }),
    });
    if (!response.ok) throw new Error(`search failed: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as SearchResponse).tookMs;
  };

  // Warm-up: model, collections, connection pools, JIT.
  for (const mode of MODES) for (const query of queries.slice(0, 10)) await search(query, mode);

  const lines: string[] = [
    `Corpus: ${stats.files} files, ${stats.chunks} chunks (JavaScript/TypeScript from npm packages, then Go from Kubernetes and etcd); ${queries.length} queries (${rows.length} identifiers, ${QUESTIONS.length} questions); limit 10; cache off.`,
    '',
    '| measurement (ms) | p50 | p95 | p99 | n | note |',
    '|---|---|---|---|---|---|',
  ];
  const summary: Record<string, Stats> = {};
  const record = (label: string, samples: number[]) => {
    summary[label] = percentiles(samples);
    lines.push(row(label, summary[label]));
  };

  // One client: per query, every building block alone and then each mode through the gateway, back to back, so
  // all of them see the same machine load and the overhead ratio compares like with like.
  const raw = { embed: [] as number[], vector: [] as number[], keyword: [] as number[], ripgrep: [] as number[] };
  const floor = { counts: [] as number[], hits: [] as number[], both: [] as number[], catalog: [] as number[] };
  const single: Record<string, { client: number[]; server: number[] }> = {};
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  for (const query of queries) {
    if (!KEYWORD_ONLY) {
      let embedding: number[] = [];
      raw.embed.push(await timed(async () => (embedding = (await embedder.embed([query]))[0]!)));
      raw.vector.push(
        await timed(() => indexer.vectorIndex.query({ embedding, limit: 50, repositories: [REPOSITORY] })),
      );
    }
    raw.keyword.push(await timed(() => indexer.keywordIndex.search({ text: query, limit: 50, filter: {} })));
    if (meilisearchFloor) {
      const { counts, hits } = await meilisearchFloor(query);
      floor.counts.push(counts);
      floor.hits.push(hits);
      floor.both.push(counts + hits);
    }
    // The gateway's read of a keyword search's candidates (it asks each leg for 100).
    const candidates = await indexer.keywordIndex.search({ text: query, limit: 100, filter: {} });
    floor.catalog.push(await timed(() => indexer.catalog.getChunks(candidates.map((hit) => hit.id))));
    const words = /^\w+$/.test(query)
      ? [query]
      : query.split(/\s+/).filter((word) => word.length > 2 && !STOP.has(word));
    raw.ripgrep.push(
      await timed(() =>
        run(
          'rg',
          ['-n', '-i', '--no-heading', '--max-columns', '200', ...words.flatMap((word) => ['-e', word]), corpus],
          {
            maxBuffer: 512 * 1024 * 1024,
          },
        ).catch((error: { code?: number }) => {
          if (error.code !== 1) throw error; // 1 = no match
        }),
      ),
    );
    for (const mode of MODES) {
      const entry = (single[mode] ??= { client: [], server: [] });
      const started = performance.now();
      entry.server.push(await search(query, mode));
      entry.client.push(performance.now() - started);
    }
  }
  for (const mode of MODES) {
    record(`${mode}, 1 client, server-side`, single[mode]!.server);
    record(`${mode}, 1 client, client-side`, single[mode]!.client);
  }
  if (!KEYWORD_ONLY) {
    record(`raw: embed query (${embedder.modelId}), 1 client`, raw.embed);
    record('raw: Chroma top-50, 1 client', raw.vector);
  }
  record(`raw: keyword top-50 (${ENGINE_LABEL}), 1 client`, raw.keyword);
  record('baseline: ripgrep over the corpus, 1 client', raw.ripgrep);
  if (meilisearchFloor) {
    record('floor: Meilisearch, counts request alone, 1 client', floor.counts);
    record('floor: Meilisearch, candidates request, ids only, 1 client', floor.hits);
    record('floor: Meilisearch, both requests, 1 client', floor.both);
  }
  record('floor: catalog read of 100 keyword candidates, 1 client', floor.catalog);

  for (const mode of MODES) {
    const measured = await concurrently(queries, 8, (query) => search(query, mode));
    record(`${mode}, 8 clients, server-side`, measured.server);
    record(`${mode}, 8 clients, client-side`, measured.client);
  }
  if (!KEYWORD_ONLY) {
    const vectorsAlone = await concurrently(queries, 8, async (query) => {
      await indexer.vectorIndex.query({
        embedding: (await embedder.embed([query]))[0]!,
        limit: 50,
        repositories: [REPOSITORY],
      });
    });
    record('raw: embed + Chroma top-50, 8 clients', vectorsAlone.client);
  }
  const keywordAlone = await concurrently(queries, 8, async (query) => {
    await indexer.keywordIndex.search({ text: query, limit: 50, filter: {} });
  });
  record('raw: keyword top-50, 8 clients', keywordAlone.client);

  const memory = await gateway.memory();
  const load = loadavg().map((value) => value.toFixed(1));
  const overheadNote = () => {
    const slowerLeg = Math.max(
      summary[`raw: embed query (${embedder.modelId}), 1 client`]!.p50 + summary['raw: Chroma top-50, 1 client']!.p50,
      summary[`raw: keyword top-50 (${ENGINE_LABEL}), 1 client`]!.p50,
    );
    const overhead = (summary['hybrid, 1 client, server-side']!.p50 / slowerLeg - 1) * 100;
    return ` Gateway overhead, hybrid p50 (server-side) over the slower leg alone (embed + Chroma vs keyword): ${overhead.toFixed(0)} %.`;
  };
  lines.push(
    '',
    `Load average during the run: ${load.join(' / ')} (2 cores).${KEYWORD_ONLY ? '' : overheadNote()} Gateway ` +
      `process RSS after the runs: ${memory.rssMb.toFixed(0)} MB (peak ${memory.peakMb.toFixed(0)} MB).`,
  );
  // Where the gateway's time went, from its own histograms (every search above, all modes and client counts).
  const exposition = await (await fetch(`${gateway.url}/api/v1/metrics`)).text();
  const mean = (leg: string) => {
    const value = (suffix: string) =>
      Number(
        new RegExp(`^myragdb_search_leg_duration_seconds_${suffix}\\{[^}]*leg="${leg}"[^}]*\\} (\\S+)$`, 'm').exec(
          exposition,
        )?.[1],
      );
    return ((value('sum') / value('count')) * 1000).toFixed(1);
  };
  lines.push(
    `Mean per stage inside the gateway (ms): ${(KEYWORD_ONLY ? ['keyword', 'fusion'] : ['embed', 'vector', 'keyword', 'fusion']).map((leg) => `${leg} ${mean(leg)}`).join(', ')} (fusion = fusion + catalog read + filters + snippets).`,
  );
  return lines.join('\n');
}

/** Stopped on failure too: a Chroma child left behind would hold its port and data dir. */
let chromaChild: ChromaChild | undefined;
try {
  await main();
} catch (error) {
  console.error(error);
  await chromaChild?.stop();
  process.exit(1);
}
