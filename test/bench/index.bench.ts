/**
 * `npm run bench:index`: indexing throughput on a pinned corpus of real source (npm packages fetched with
 * `npm pack`, cached in the temp dir), against real PostgreSQL (PG_URL), Chroma (CHROMA_URL, or the npm-packaged
 * server started here) and the default embedder (USE-lite). Prints a markdown table; targets from issue 4.
 *
 * What is measured:
 * - keyword phase on the whole corpus (~12k files): discovery, hashing, chunking, keyword documents, catalog rows;
 * - embedding phase on a sample repository: pipeline chunks/s vs the embedder's raw chunks/s on the same texts;
 * - a no-change resync of the corpus, and the time from saving one changed file to it being keyword-searchable;
 * - peak RSS of this process (it hosts the embedder's worker threads too).
 * The corpus's own vectors are not computed (hours with USE-lite on 2 cores): its syncs stop when phase 2 starts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEmbedder } from '../../services/core/src/adapters/embedder/create-embedder.js';
import { PgSqlDatabase } from '../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../services/core/src/config/load-config.js';
import { migrate } from '../../services/core/src/db/migrate.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../services/indexer/src/indexer-runtime.js';
import type { SyncProgress, SyncResult } from '../../services/indexer/src/pipeline/sync-repository.js';
import { createLogger } from '../../services/core/src/logging.js';
import type { Embedder } from '../../services/core/src/ports/embedder.js';
import { startChromaServer } from '../support/chroma.js';

const run = promisify(execFile);

/** Pinned, so every run indexes the same bytes. */
const CORPUS_PACKAGES = [
  'lodash@4.17.21',
  'lodash-es@4.17.21',
  'express@4.21.2',
  'typescript@5.6.3',
  'date-fns@2.30.0',
  'rxjs@7.8.1',
  'ajv@8.17.1',
  'zod@3.23.8',
  'core-js@3.39.0',
  'eslint@8.57.1',
];
/** The embedding-phase sample: small enough to embed in a few minutes on 2 cores. */
const SAMPLE_PACKAGE = 'zod@3.23.8';
const CORPUS_DIR = join(tmpdir(), 'myragdb-bench-corpus-v1');
const ROUNDS = 3;
/** Texts the embedder alone embeds, before and after the pipeline run. */
const RAW_SAMPLE = 160;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (values: readonly number[]) =>
  `min ${seconds(Math.min(...values))}, max ${seconds(Math.max(...values))}`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function fetchCorpus(): Promise<string> {
  await mkdir(CORPUS_DIR, { recursive: true });
  for (const spec of CORPUS_PACKAGES) {
    const target = join(CORPUS_DIR, spec.replace(/[@/]/g, '_'));
    if (await exists(target)) continue;
    const packDir = `${target}.pack`;
    await mkdir(packDir, { recursive: true });
    const { stdout } = await run('npm', ['pack', spec, '--silent', '--pack-destination', packDir]);
    await mkdir(target, { recursive: true });
    await run('tar', ['xzf', join(packDir, stdout.trim().split('\n').at(-1)!), '-C', target]);
    await rm(packDir, { recursive: true, force: true });
  }
  return CORPUS_DIR;
}

/** Runs phase 1 only: resolves with the sync's time to the end of the keyword phase, then stops the job. */
async function keywordPhase(runtime: IndexerRuntime, name: string, full = false) {
  const controller = new AbortController();
  const started = performance.now();
  let keywordMs = 0;
  let last: SyncProgress | undefined;
  await runtime.indexer
    .syncRepository(name, {
      full,
      signal: controller.signal,
      onProgress: (progress) => {
        last = progress;
        if (progress.phase === 'vectors' && !controller.signal.aborted) {
          keywordMs = performance.now() - started;
          controller.abort();
        }
      },
    })
    .catch((error: unknown) => {
      if (!controller.signal.aborted) throw error;
    });
  return { keywordMs, progress: last! };
}

async function rawEmbedderThroughput(embedder: Embedder, texts: readonly string[]): Promise<number> {
  const started = performance.now();
  // Same batch size and concurrency as the pipeline's defaults, nothing else in the way.
  const batches: string[][] = [];
  for (let offset = 0; offset < texts.length; offset += 32) batches.push(texts.slice(offset, offset + 32));
  let next = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < batches.length) await embedder.embed(batches[next++]!);
    }),
  );
  return texts.length / ((performance.now() - started) / 1000);
}

const adminUrl = process.env.PG_URL;
if (!adminUrl)
  throw new Error('PG_URL must point at a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:55432/postgres)');

const loadAtStart = loadavg()
  .map((value) => value.toFixed(1))
  .join(' / ');
const corpus = await fetchCorpus();
const database = `myragdb_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new PgSqlDatabase({ url: adminUrl, poolSize: 1 });
await admin.query(`CREATE DATABASE "${database}"`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;
const sql = new PgSqlDatabase({ url: url.toString(), poolSize: 8 });
const chroma = process.env.CHROMA_URL ? undefined : await startChromaServer();
const logger = createLogger({ service: 'bench', level: 'error', format: 'json' });
// The default embedder exactly as the indexer builds it (EMBEDDING_PROVIDER=local: USE-lite, 2 worker threads).
const embedder: Embedder = await createEmbedder(loadConfig({}), { logger });
const rows: Array<[string, string, string]> = [];
/** The one corpus file the benchmark edits, restored afterwards so the cached corpus stays pinned. */
let originalContent: { path: string; content: string } | undefined;
try {
  await migrate(sql);
  const config = loadConfig({ CHROMA_URL: process.env.CHROMA_URL ?? chroma!.url, INDEXER_SYNC_INTERVAL_SECONDS: '0' });
  const runtime = await createIndexerRuntime({
    config,
    sql,
    embedder,
    logger,
    collectionPrefix: `bench${randomBytes(3).toString('hex')}_`,
  });

  // Keyword phase over the whole corpus.
  await runtime.catalog.createRepository({ name: 'corpus', source: { type: 'local', path: corpus } });
  const first = await keywordPhase(runtime, 'corpus');
  const files = (await runtime.catalog.stats('corpus')).files;
  const chunks = first.progress.chunksWritten;
  const filesPerSecond = files / (first.keywordMs / 1000);
  rows.push([
    'keyword phase, files/s',
    `${filesPerSecond.toFixed(0)} (${files} files in ${(first.keywordMs / 1000).toFixed(1)} s)`,
    '>= 300',
  ]);
  rows.push(['keyword phase, chunks/s', `${(chunks / (first.keywordMs / 1000)).toFixed(0)} (${chunks} chunks)`, '']);

  // No-change resync of the same files; median of three (the machine is shared, single runs are noisy).
  const resyncs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) resyncs.push((await keywordPhase(runtime, 'corpus')).keywordMs);
  rows.push([
    'no-change resync (scan, plan, commit)',
    `${seconds(median(resyncs))} for ${files} files (${spread(resyncs)})`,
    '< 2 s',
  ]);

  // One changed file, from the start of its sync to a keyword hit on the new text; median of three.
  const changed = join(
    corpus,
    (await readdir(corpus)).find((entry) => entry.startsWith('express'))!,
    'package/lib/router/index.js',
  );
  originalContent = { path: changed, content: await readFile(changed, 'utf8') };
  const searchable: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const marker = `benchmarker${randomBytes(4).toString('hex')}`;
    await appendFile(changed, `\n// ${marker}\n`);
    const changeStarted = performance.now();
    await keywordPhase(runtime, 'corpus');
    const hits = await runtime.keywordIndex.search({ text: marker, limit: 1, filter: { repositories: ['corpus'] } });
    searchable.push(performance.now() - changeStarted);
    if (hits.length !== 1) throw new Error('the changed file is not keyword-searchable after its sync');
  }
  rows.push([
    'one changed file keyword-searchable after',
    `${seconds(median(searchable))} (${spread(searchable)})`,
    '< 2 s',
  ]);

  // Embedding phase on a sample, against the embedder alone on the same chunk texts, measured right before and
  // right after the pipeline so both see the same machine.
  const samplePath = join(corpus, SAMPLE_PACKAGE.replace(/[@/]/g, '_'));
  await runtime.catalog.createRepository({ name: 'sample', source: { type: 'local', path: samplePath } });
  await keywordPhase(runtime, 'sample');
  const pending = await runtime.catalog.listPendingVectors('sample', undefined, 10_000);
  const distinctTexts = [...new Map(pending.map((chunk) => [chunk.contentHash, chunk.content])).values()];
  const rawSample = distinctTexts.slice(0, RAW_SAMPLE);
  const rawBefore = await rawEmbedderThroughput(embedder, rawSample);
  const sample: SyncResult = await runtime.indexer.syncRepository('sample');
  const rawAfter = await rawEmbedderThroughput(embedder, rawSample);
  const rawRate = (rawBefore + rawAfter) / 2;
  const pipelineRate = sample.embedded / (sample.vectorPhaseMs / 1000);
  rows.push(['embedding phase, chunks/s (pipeline)', `${pipelineRate.toFixed(1)} (${sample.embedded} chunks)`, '']);
  rows.push([
    'embedder alone, chunks/s (same texts)',
    `${rawRate.toFixed(1)} (before ${rawBefore.toFixed(1)}, after ${rawAfter.toFixed(1)}; ${rawSample.length} texts)`,
    '',
  ]);
  rows.push(['pipeline / raw embedder throughput', `${((pipelineRate / rawRate) * 100).toFixed(0)} %`, '>= 90 %']);
  rows.push([
    'embedder busy during phase 2',
    `${((sample.embedderBusyMs / sample.vectorPhaseMs) * 100).toFixed(0)} %`,
    '>= 90 %',
  ]);
  rows.push([
    'peak RSS (with embedder workers)',
    `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    '<= 1536 MB',
  ]);
  await runtime.close();

  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
  console.log(`\nLoad average at the end (1 / 5 / 15 min): ${load}; at the start: ${loadAtStart}`);
  console.log(`\n## bench:index (${CORPUS_PACKAGES.join(', ')}; embedding sample ${SAMPLE_PACKAGE})\n`);
  console.log('| measure | result | target |\n|---|---|---|');
  for (const [measure, result, target] of rows) console.log(`| ${measure} | ${result} | ${target} |`);
} finally {
  if (originalContent) await writeFile(originalContent.path, originalContent.content);
  await embedder.close();
  await sql.close();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.close();
  await chroma?.stop();
}
