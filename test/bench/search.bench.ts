/**
 * `npm run bench:search`: search latency of the gateway per mode, server-side (`tookMs`) and client-side (HTTP round
 * trip on loopback), with 1 and 8 concurrent clients, side by side with the raw latency of each building block alone
 * (query embedding, Chroma query, keyword query) and a ripgrep search over the same files: the baseline a user would
 * otherwise reach for. Real stores: PostgreSQL (PG_URL, database `myragdb_bench_search`), Chroma (CHROMA_URL, or the
 * npm-packaged server started here), USE-lite, Postgres full-text keyword index. The search cache is off.
 *
 * The corpus is JavaScript/TypeScript source from installed npm packages (pinned by the lockfile), cut at
 * BENCH_CORPUS_BYTES (default 10 MB: the installed packages give ~3.1k chunks) and copied to the temp dir. The
 * first run indexes it, vectors included (~10 minutes on 2 cores with USE-lite); later runs only re-measure.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { UseLiteEmbedder } from '../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { PgSqlDatabase } from '../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../services/core/src/config/load-config.js';
import { migrate } from '../../services/core/src/db/migrate.js';
import { startServer } from '../../services/core/src/http/server.js';
import { createIndexerRuntime } from '../../services/core/src/indexing/indexer-runtime.js';
import { createLogger } from '../../services/core/src/logging.js';
import { createMetrics } from '../../services/core/src/metrics.js';
import { type ChromaChild, startChromaChild } from '../../services/cli/src/local/chroma-server.js';
import { createGatewayRuntime } from '../../services/search-gateway/src/gateway-runtime.js';
import type { SearchResponse } from '../../services/search-gateway/src/api/search.schemas.js';

const run = promisify(execFile);
const REPOSITORY = 'bench';
const DATABASE = 'myragdb_bench_search';
const CORPUS_BYTES = Number(process.env.BENCH_CORPUS_BYTES ?? 10_000_000);
const CORPUS_DIR = join(tmpdir(), `myragdb-bench-search-corpus-${CORPUS_BYTES}`);
const KEY = 'bench-admin-key-2f8c1d7e9a4b6053c1e8';
const SOURCES = [
  'eslint/lib',
  '@typescript-eslint/eslint-plugin/dist',
  '@typescript-eslint/typescript-estree/dist',
  '@typescript-eslint/scope-manager/dist',
  '@typescript-eslint/utils/dist',
  'express/lib',
  'winston/lib',
  'prom-client/lib',
  'pg/lib',
  'commander/lib',
  'meilisearch/dist/esm',
];
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

async function buildCorpus(): Promise<string> {
  const done = join(CORPUS_DIR, '.complete');
  if (await stat(done).catch(() => undefined)) return CORPUS_DIR;
  const files: string[] = [];
  const walk = async (directory: string) => {
    for (const entry of (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.(js|mjs|ts)$/.test(entry.name) && !/\.(d\.ts|min\.js)$/.test(entry.name)) files.push(path);
    }
  };
  const modules = join(process.cwd(), 'node_modules');
  for (const source of SOURCES) await walk(join(modules, source)).catch(() => undefined);
  let bytes = 0;
  for (const file of files) {
    if (bytes >= CORPUS_BYTES) break;
    const size = (await stat(file)).size;
    if (size > 200_000) continue;
    const target = join(CORPUS_DIR, relative(modules, file));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
    bytes += size;
  }
  await writeFile(done, '');
  return CORPUS_DIR;
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

async function main(): Promise<void> {
  const adminUrl = process.env.PG_URL;
  if (!adminUrl) throw new Error('PG_URL must point at a PostgreSQL server');
  const admin = new PgSqlDatabase({ url: adminUrl, poolSize: 1, applicationName: 'bench-admin' });
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  const sql = new PgSqlDatabase({ url: url.toString(), poolSize: 10, applicationName: 'bench-search' });
  await migrate(sql);

  const chroma = process.env.CHROMA_URL
    ? undefined
    : await startChromaChild(join(tmpdir(), 'myragdb-bench-search-chroma'));
  chromaChild = chroma;
  const logger = createLogger({ service: 'bench', level: 'warn', format: 'pretty' });
  const config = loadConfig({
    CHROMA_URL: process.env.CHROMA_URL ?? chroma!.url,
    MYRAGDB_API_KEY: KEY,
    LOG_LEVEL: 'warn',
    INDEXER_SYNC_INTERVAL_SECONDS: '0',
    SEARCH_CACHE_MAX_ENTRIES: '0',
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
    RATE_LIMIT_REQUESTS_PER_HOUR: '1000000',
    RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '1000000',
    RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: '1000000',
    RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '1000000',
  });
  const embedder = new UseLiteEmbedder();
  await embedder.start();
  const collectionPrefix = 'bench-';
  const indexer = await createIndexerRuntime({ config, sql, embedder, logger, collectionPrefix });
  const corpus = await buildCorpus();
  const known = await indexer.catalog.listRepositories();
  if (!known.some((repository) => repository.name === REPOSITORY)) {
    await indexer.catalog.createRepository({ name: REPOSITORY, source: { type: 'local', path: corpus } });
  }
  const indexStarted = performance.now();
  let lastLine = 0;
  const result = await indexer.indexer.syncRepository(REPOSITORY, {
    onProgress: (progress) => {
      if (performance.now() - lastLine > 10_000) {
        lastLine = performance.now();
        console.error(`indexing: ${JSON.stringify(progress)}`);
      }
    },
  });
  const stats = await indexer.catalog.stats(REPOSITORY);
  console.error(
    `index ready in ${((performance.now() - indexStarted) / 1000).toFixed(0)} s: ${stats.files} files, ${stats.chunks} chunks (${result.reindexed} files reindexed)`,
  );

  const gateway = await createGatewayRuntime({
    config,
    sql,
    embedder,
    logger,
    metrics: createMetrics('search-gateway'),
    collectionPrefix,
  });
  const server = await startServer({
    app: gateway.app,
    port: 0,
    host: '127.0.0.1',
    logger,
    shutdownTimeoutMs: 1000,
    signals: [],
  });

  const { rows } = await sql.query<{ symbol: string }>(
    `SELECT DISTINCT ON (md5(symbol)) symbol FROM chunks
      WHERE repository = $1 AND symbol ~ '^[A-Za-z_][A-Za-z0-9_]{5,}$' ORDER BY md5(symbol) LIMIT 25`,
    [REPOSITORY],
  );
  const queries = [...rows.map((row) => row.symbol), ...QUESTIONS];

  const search = async (query: string, mode: string): Promise<number> => {
    const response = await fetch(`${server.url}/api/v1/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query, mode, limit: 10 }),
    });
    if (!response.ok) throw new Error(`search failed: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as SearchResponse).tookMs;
  };

  // Warm-up: model, collections, connection pools, JIT.
  for (const mode of ['keyword', 'semantic', 'hybrid'])
    for (const query of queries.slice(0, 10)) await search(query, mode);

  const lines: string[] = [
    `Corpus: ${stats.files} files, ${stats.chunks} chunks (${(CORPUS_BYTES / 1e6).toFixed(0)} MB of JS/TS from npm packages); ${queries.length} queries (${rows.length} identifiers, ${QUESTIONS.length} questions); limit 10; cache off.`,
    '',
    '| measurement (ms) | p50 | p95 | p99 | n | note |',
    '|---|---|---|---|---|---|',
  ];
  const summary: Record<string, Stats> = {};
  const record = (label: string, samples: number[]) => {
    summary[label] = percentiles(samples);
    lines.push(row(label, summary[label]!));
  };

  // One client: per query, every building block alone and then each mode through the gateway, back to back, so
  // all of them see the same machine load and the overhead ratio compares like with like.
  const raw = { embed: [] as number[], vector: [] as number[], keyword: [] as number[], ripgrep: [] as number[] };
  const single: Record<string, { client: number[]; server: number[] }> = {};
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  for (const query of queries) {
    let embedding: number[] = [];
    raw.embed.push(await timed(async () => (embedding = (await embedder.embed([query]))[0]!)));
    raw.vector.push(await timed(() => indexer.vectorIndex.query({ embedding, limit: 50, repositories: [REPOSITORY] })));
    raw.keyword.push(await timed(() => indexer.keywordIndex.search({ text: query, limit: 50, filter: {} })));
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
    for (const mode of ['keyword', 'semantic', 'hybrid']) {
      const entry = (single[mode] ??= { client: [], server: [] });
      const started = performance.now();
      entry.server.push(await search(query, mode));
      entry.client.push(performance.now() - started);
    }
  }
  for (const mode of ['keyword', 'semantic', 'hybrid']) {
    record(`${mode}, 1 client, server-side`, single[mode]!.server);
    record(`${mode}, 1 client, client-side`, single[mode]!.client);
  }
  record('raw: embed query (USE-lite), 1 client', raw.embed);
  record('raw: Chroma top-50, 1 client', raw.vector);
  record('raw: keyword top-50 (Postgres FTS), 1 client', raw.keyword);
  record('baseline: ripgrep over the corpus, 1 client', raw.ripgrep);

  for (const mode of ['keyword', 'semantic', 'hybrid']) {
    const measured = await concurrently(queries, 8, (query) => search(query, mode));
    record(`${mode}, 8 clients, server-side`, measured.server);
    record(`${mode}, 8 clients, client-side`, measured.client);
  }
  const vectorsAlone = await concurrently(queries, 8, async (query) => {
    await indexer.vectorIndex.query({
      embedding: (await embedder.embed([query]))[0]!,
      limit: 50,
      repositories: [REPOSITORY],
    });
  });
  record('raw: embed + Chroma top-50, 8 clients', vectorsAlone.client);
  const keywordAlone = await concurrently(queries, 8, async (query) => {
    await indexer.keywordIndex.search({ text: query, limit: 50, filter: {} });
  });
  record('raw: keyword top-50, 8 clients', keywordAlone.client);

  const slowerLeg = Math.max(
    summary['raw: embed query (USE-lite), 1 client']!.p50 + summary['raw: Chroma top-50, 1 client']!.p50,
    summary['raw: keyword top-50 (Postgres FTS), 1 client']!.p50,
  );
  lines.push(
    '',
    `Load average during the run: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(
        ' / ',
      )} (2 cores). Gateway overhead, hybrid p50 (server-side) over the slower leg alone (embed + Chroma vs keyword): ${(
      (summary['hybrid, 1 client, server-side']!.p50 / slowerLeg - 1) *
      100
    ).toFixed(
      0,
    )} %. RSS of this process (gateway + indexer runtime + 2 embedder threads): ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB.`,
  );
  // Where the gateway's time went, from its own histograms (every search above, all modes and client counts).
  const exposition = await (await fetch(`${server.url}/api/v1/metrics`)).text();
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
    `Mean per stage inside the gateway (ms): ${['embed', 'vector', 'keyword', 'fusion'].map((leg) => `${leg} ${mean(leg)}`).join(', ')} (fusion = fusion + catalog read + filters + snippets).`,
  );
  console.log(lines.join('\n'));

  await server.shutdown('bench done');
  await gateway.close();
  await indexer.close();
  await embedder.close();
  await sql.close();
  await chroma?.stop();
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
