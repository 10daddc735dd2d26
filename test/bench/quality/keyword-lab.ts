/**
 * Fast loop for the keyword leg: chunks the corpus with the indexer's chunker, writes it to the Postgres keyword
 * adapter alone (PGlite in memory, or a throwaway database on PG_URL with `--postgres`), runs every query and prints
 * the file-level metrics; no embedding, so a run takes seconds. With `--legs FILE` (a `legs.json` of
 * `quality.bench.ts`) it writes a copy whose keyword lists come from this run, for `fusion-lab.ts`.
 *
 * Usage: tsx test/bench/quality/keyword-lab.ts [--postgres] [--legs legs.json --out legs.keyword.json] [--per-query]
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BM25 } from '../../../services/core/src/adapters/keyword-index/bm25.js';
import { PostgresKeywordIndex } from '../../../services/core/src/adapters/keyword-index/postgres.keyword-index.js';
import { PgliteSqlDatabase } from '../../../services/core/src/adapters/sql-database/pglite.sql-database.js';
import { createChunker } from '../../../services/indexer/src/chunking/chunker.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { Chunk } from '../../../services/core/src/domain/chunk.js';
import type { SqlDatabase } from '../../../services/core/src/ports/sql-database.js';
import { createTestDatabase, postgresServerUrl } from '../../support/postgres.js';
import {
  distinctFiles,
  formatSummary,
  LabelledQuery,
  type ScoredQuery,
  scoreQuery,
  summarise,
} from './quality-metrics.js';
import type { LegDump } from './quality.bench.js';

const { values } = parseArgs({
  options: {
    postgres: { type: 'boolean', default: false },
    legs: { type: 'string' },
    out: { type: 'string' },
    'per-query': { type: 'boolean', default: false },
  },
});
const devDir = process.env.QUALITY_DEV_DIR ?? '/work/shared/quality-dev';
const cache = process.env.QUALITY_DEV_CACHE ?? join(process.env.HOME ?? '', '.cache/quality-dev');
const corpus = JSON.parse(await readFile(join(devDir, 'corpus.json'), 'utf8')) as {
  repositories: { name: string; folder: string }[];
};
const queries = (await readFile(join(devDir, 'queries.jsonl'), 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => LabelledQuery.parse(JSON.parse(line)));

let sql: SqlDatabase;
let drop = async () => {};
if (values.postgres) {
  const database = await createTestDatabase(await postgresServerUrl());
  sql = database.sql;
  drop = () => database.drop();
} else sql = await PgliteSqlDatabase.open();
await migrate(sql);
// BM25_CHUNK_SHARE / BM25_K1 / BM25_B try other parameters without editing the adapter.
const bm25 = {
  k1: Number(process.env.BM25_K1 ?? DEFAULT_BM25.k1),
  b: Number(process.env.BM25_B ?? DEFAULT_BM25.b),
  chunkShare: Number(process.env.BM25_CHUNK_SHARE ?? DEFAULT_BM25.chunkShare),
};
const index = new PostgresKeywordIndex(sql, { bm25 });
await index.init();
const chunker = createChunker();
let started = performance.now();
let total = 0;
const located = new Map<string, { path: string; startLine: number; endLine: number; symbol?: string }>();
for (const repository of corpus.repositories) {
  const root = join(cache, 'corpus', repository.name, repository.folder);
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
  const chunks: Chunk[] = [];
  for (const path of files)
    chunks.push(
      ...(await chunker.chunk({
        repository: repository.name,
        path,
        content: await readFile(join(root, path), 'utf8'),
      })),
    );
  await index.upsert(chunks);
  for (const chunk of chunks)
    located.set(chunk.id, {
      path: chunk.path,
      startLine: chunk.startLine,
      endLine: chunk.endLine,
      ...(chunk.symbol ? { symbol: chunk.symbol } : {}),
    });
  total += chunks.length;
}
console.log(`indexed ${total} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await sql.query('ANALYZE keyword_chunks');

started = performance.now();
const scored: ScoredQuery[] = [];
const keywordLists = new Map<string, LegDump['legs']['keyword']>();
const latencies: number[] = [];
for (const query of queries) {
  const t = performance.now();
  const hits = await index.search({ text: query.query, limit: 100, filter: { repositories: [query.repository] } });
  latencies.push(performance.now() - t);
  const list = hits.map((hit) => ({ ...located.get(hit.id)!, score: hit.score }));
  keywordLists.set(query.id, list);
  const files = distinctFiles(list.map((hit) => hit.path));
  const metrics = scoreQuery(files, query.grade);
  scored.push({ query, system: 'keyword', metrics });
  if (values['per-query'])
    console.log(
      `${query.id.padEnd(10)} mrr ${metrics.mrr10.toFixed(2)} top: ${files.slice(0, 3).join(', ')} want ${query.expected.join(',')}`,
    );
}
latencies.sort((a, b) => a - b);
console.log(
  `queries in ${((performance.now() - started) / 1000).toFixed(1)} s; p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms p95 ${latencies[Math.ceil(latencies.length * 0.95) - 1]!.toFixed(1)} ms`,
);
console.log(formatSummary(summarise(scored), ['keyword']));
if (values.legs && values.out) {
  const dumps = JSON.parse(await readFile(values.legs, 'utf8')) as LegDump[];
  for (const dump of dumps) dump.legs.keyword = keywordLists.get(dump.query.id) ?? [];
  await writeFile(values.out, JSON.stringify(dumps));
}
await index.close();
await sql.close();
await drop();
