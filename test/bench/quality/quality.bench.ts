/**
 * `npm run bench:quality`: file-level retrieval quality of every search mode, next to a grep baseline and a
 * file-level BM25 baseline computed in the same run over the same files.
 *
 * The corpus is indexed the way `myragdb up` does it (the same local-mode stack: embedded PGlite or DATABASE_URL,
 * Chroma child or CHROMA_URL, the configured embedder from EMBEDDING_PROVIDER / EMBEDDING_MODEL): each repository is
 * registered through the REST API, indexed by the real worker, then every query runs over HTTP in keyword, semantic
 * and hybrid mode, asking for files (`groupByFile`) for the metrics and for chunks for `legs.json`. The index stays in the data directory between runs (a restart only syncs, and nothing changed
 * means nothing is re-embedded), so a second run costs only the queries; `--rebuild` drops and rebuilds every
 * store's documents (embeddings come from the content-hash cache), e.g. after a keyword document change.
 *
 * Besides the table it writes `results.json` (per query and summary metrics) and `legs.json` (each mode's raw
 * ranked chunks per query), which `fusion-lab.ts` re-scores offline in milliseconds.
 *
 * Usage: npm run bench:quality -- [--set dev|self] [--corpus corpus.json] [--queries queries.jsonl]
 *        [--corpus-root DIR] [--data-dir DIR] [--out DIR] [--rebuild]
 * The dev set is `../shared/quality-dev` (or QUALITY_DEV_DIR) with its corpus under QUALITY_DEV_CACHE; `self` is this
 * repository's own small set (test/bench/quality/self), over folders of this checkout.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { z } from 'zod';
import { freePort } from '../../support/ports.js';
import { startLocalMode } from '../../../services/cli/src/local/local-mode.js';
import type { SearchResponse } from '../../../services/search-gateway/src/api/search.schemas.js';
import { FileBm25Baseline, GrepBaseline } from './baselines.js';
import {
  distinctFiles,
  formatSummary,
  LabelledQuery,
  type ScoredQuery,
  scoreQuery,
  summarise,
} from './quality-metrics.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const MODES = ['keyword', 'semantic', 'hybrid'] as const;
type Mode = (typeof MODES)[number];
/** Chunks asked per query and mode for `legs.json`, the fusion lab's input. */
const RESULTS_PER_QUERY = 100;
/** Files asked per query and mode (`groupByFile`) for the metrics, which look at the top 10. */
const FILES_PER_QUERY = 10;

const CorpusFile = z.object({
  repositories: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/),
        folder: z.string().min(1),
        /** Self set only: the folder relative to this checkout instead of the fetched corpus cache. */
        checkout: z.boolean().optional(),
      }),
    )
    .min(1),
});

export interface LegHit {
  path: string;
  startLine: number;
  endLine: number;
  symbol?: string;
  score: number;
}

export interface LegDump {
  query: LabelledQuery;
  legs: Record<Mode, LegHit[]>;
  tookMs: Record<Mode, number>;
}

function devSetDirectory(): string {
  const candidates = [
    process.env.QUALITY_DEV_DIR,
    join(repoRoot, '../shared/quality-dev'),
    join(repoRoot, '../../shared/quality-dev'),
  ].filter((candidate): candidate is string => !!candidate);
  const found = candidates.find((candidate) => existsSync(join(candidate, 'queries.jsonl')));
  if (!found) {
    throw new Error(
      `the quality-dev set was not found (looked in ${candidates.join(', ')}): set QUALITY_DEV_DIR, or pass --corpus and --queries`,
    );
  }
  return found;
}

async function readQueries(file: string): Promise<LabelledQuery[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    const parsed = LabelledQuery.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${index + 1}: ${parsed.error.message}`);
    return parsed.data;
  });
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Polls while indexing: a busy process may miss an answer now and then, which is not a failure. */
  private async poll<T>(path: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call<T>('GET', path);
      } catch (error) {
        if (attempt >= 10 || !(error instanceof TypeError)) throw error;
        await new Promise((done) => setTimeout(done, 5000));
      }
    }
  }

  async waitForJob(id: string): Promise<void> {
    for (let polls = 0; ; polls++) {
      const job = await this.poll<{ state: string; error?: { message: string }; progress?: unknown }>(`/jobs/${id}`);
      if (job.state === 'succeeded') return;
      if (job.state === 'failed' || job.state === 'cancelled')
        throw new Error(`job ${id} ${job.state}: ${job.error?.message ?? ''}`);
      if (polls % 30 === 0) console.log(`  job ${id}: ${job.state} ${JSON.stringify(job.progress ?? {})}`);
      await new Promise((done) => setTimeout(done, 1000));
    }
  }

  async waitForVectors(name: string): Promise<void> {
    for (;;) {
      const status = await this.poll<{ status: string; vectorsPending: number; chunks: number; files: number }>(
        `/repositories/${name}`,
      );
      if (status.status === 'ready' && status.vectorsPending === 0) {
        console.log(`  ${name}: ${status.files} files, ${status.chunks} chunks`);
        return;
      }
      if (status.status === 'error') throw new Error(`${name}: indexing failed`);
      await new Promise((done) => setTimeout(done, 1000));
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: 'string', default: 'dev' },
      corpus: { type: 'string' },
      queries: { type: 'string' },
      'corpus-root': { type: 'string' },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      rebuild: { type: 'boolean', default: false },
    },
  });
  const set = z.enum(['dev', 'self']).parse(values.set);
  const setDirectory = set === 'self' ? join(here, 'self') : devSetDirectory();
  const corpusFile = resolve(values.corpus ?? join(setDirectory, 'corpus.json'));
  const queriesFile = resolve(values.queries ?? join(setDirectory, 'queries.jsonl'));
  const corpusRoot = resolve(
    values['corpus-root'] ??
      process.env.QUALITY_DEV_CACHE ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'quality-dev'),
  );
  const corpus = CorpusFile.parse(JSON.parse(await readFile(corpusFile, 'utf8')));
  const queries = await readQueries(queriesFile);
  const roots = new Map(
    corpus.repositories.map((repository) => [
      repository.name,
      repository.checkout
        ? join(repoRoot, repository.folder)
        : join(corpusRoot, 'corpus', repository.name, repository.folder),
    ]),
  );
  if ([...roots.values()].some((root) => !existsSync(root))) {
    const fetchScript = join(dirname(corpusFile), 'fetch-corpus.sh');
    if (!existsSync(fetchScript)) throw new Error(`corpus folders missing and no ${fetchScript} to fetch them`);
    console.log(`fetching the corpus with ${fetchScript}`);
    await run('bash', [fetchScript], { env: { ...process.env, QUALITY_DEV_CACHE: corpusRoot } });
  }

  const embedding = `${process.env.EMBEDDING_PROVIDER ?? 'local'}-${(process.env.EMBEDDING_MODEL ?? 'default').replace(/[^A-Za-z0-9]+/g, '_').slice(-40)}`;
  const dataDir = resolve(
    values['data-dir'] ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'myragdb-bench-quality', `${set}-${embedding}`),
  );
  const outDir = resolve(values.out ?? dataDir);
  await mkdir(outDir, { recursive: true });
  console.log(`data dir ${dataDir}; results in ${outDir}`);

  const local = await startLocalMode({
    paths: [],
    port: await freePort(),
    dataDir,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      MYRAGDB_ALLOWED_ROOTS: [...roots.values()].join(','),
      // Every query must reach the stores: a cached answer would hide the ranking being measured.
      SEARCH_CACHE_MAX_ENTRIES: '0',
      INDEXER_SYNC_INTERVAL_SECONDS: '0',
    },
  });
  try {
    const client = new GatewayClient(local.url, local.adminKey.key);
    const known = new Set(
      (await client.call<{ repositories: { name: string }[] }>('GET', '/repositories')).repositories.map((r) => r.name),
    );
    const indexStarted = performance.now();
    for (const [name, root] of roots) {
      const job = known.has(name)
        ? (
            await client.call<{ jobs: { id: string }[] }>('POST', '/reindex', {
              repositories: [name],
              full: values.rebuild,
            })
          ).jobs[0]!
        : (
            await client.call<{ job: { id: string } }>('POST', '/repositories', {
              name,
              source: { type: 'local', path: root },
            })
          ).job;
      console.log(`indexing ${name} (${root})`);
      await client.waitForJob(job.id);
      await client.waitForVectors(name);
    }
    console.log(`indexed in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);

    const grep = new Map([...roots].map(([name, root]) => [name, new GrepBaseline(root)]));
    const bm25 = new Map(
      await Promise.all(
        [...roots].map(
          async ([name, root]) => [name, await FileBm25Baseline.build(root, await listFiles(root))] as const,
        ),
      ),
    );

    const scored: ScoredQuery[] = [];
    const dumps: LegDump[] = [];
    for (const query of queries) {
      const legs = {} as Record<Mode, LegHit[]>;
      const tookMs = {} as Record<Mode, number>;
      for (const mode of MODES) {
        const response = await client.call<SearchResponse>('POST', '/search', {
          query: query.query,
          mode,
          limit: RESULTS_PER_QUERY,
          repositories: [query.repository],
        });
        legs[mode] = response.results.map((result) => ({
          path: result.path,
          startLine: result.startLine,
          endLine: result.endLine,
          ...(result.symbol ? { symbol: result.symbol } : {}),
          score: result.score,
        }));
        tookMs[mode] = response.tookMs;
        // Scored as a caller who wants files asks: one result per file over every fused candidate. The 100 chunks
        // above can hold fewer than 10 files when a large file has many matching chunks.
        const files = await client.call<SearchResponse>('POST', '/search', {
          query: query.query,
          mode,
          limit: FILES_PER_QUERY,
          groupByFile: true,
          repositories: [query.repository],
        });
        scored.push({
          query,
          system: mode,
          metrics: scoreQuery(distinctFiles(files.results.map((result) => result.path)), query.grade),
        });
      }
      dumps.push({ query, legs, tookMs });
      scored.push({
        query,
        system: 'grep',
        metrics: scoreQuery(await grep.get(query.repository)!.rank(query.query), query.grade),
      });
      scored.push({
        query,
        system: 'bm25-file',
        metrics: scoreQuery(bm25.get(query.repository)!.rank(query.query), query.grade),
      });
    }

    const summary = summarise(scored);
    const systems = ['hybrid', 'keyword', 'semantic', 'bm25-file', 'grep'];
    console.log(`\n${formatSummary(summary, systems)}\n`);
    const latency = Object.fromEntries(
      MODES.map((mode) => {
        const sorted = dumps.map((dump) => dump.tookMs[mode]).sort((a, b) => a - b);
        return [mode, { p50: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.ceil(sorted.length * 0.95) - 1] }];
      }),
    );
    console.log(`server-side tookMs per mode: ${JSON.stringify(latency)}`);
    await writeFile(
      join(outDir, 'results.json'),
      `${JSON.stringify({ corpus: corpusFile, queries: queriesFile, embedding, summary, latency, perQuery: scored }, null, 1)}\n`,
    );
    await writeFile(join(outDir, 'legs.json'), `${JSON.stringify(dumps)}\n`);
    console.log(`wrote ${join(outDir, 'results.json')} and ${join(outDir, 'legs.json')}`);
  } finally {
    await local.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
