/**
 * Raw throughput of the local embedders (the default all-MiniLM-L6-v2 int8 ONNX model, and the USE-lite fallback)
 * on real code chunks (this repository's own sources, chunked by the production chunker and embedded as indexing
 * embeds them: path, symbol, content), with 1 and 2 worker threads, and the process RSS (workers are threads: one RSS).
 * `BENCH_CHUNKS` sets how many chunks (default 240). Not a test: numbers depend on the machine and its load.
 */
import { cpus, loadavg } from 'node:os';
import winston from 'winston';
import { fetchDefaultModel } from '../../services/core/src/adapters/embedder/create-embedder.js';
import { minilmModel } from '../../services/core/src/adapters/embedder/default-model.js';
import { OnnxEmbedder } from '../../services/core/src/adapters/embedder/onnx.embedder.js';
import { UseLiteEmbedder } from '../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { loadConfig } from '../../services/core/src/config/load-config.js';
import type { Embedder } from '../../services/core/src/ports/embedder.js';
import { createChunker } from '../../services/indexer/src/chunking/chunker.js';
import { discoverFiles } from '../../services/indexer/src/discovery/discover-files.js';
import { readSourceFile } from '../../services/indexer/src/discovery/read-source-file.js';
import { embeddingText } from '../../services/indexer/src/pipeline/embedding-text.js';

const wanted = Number(process.env.BENCH_CHUNKS ?? 240);
const root = new URL('../..', import.meta.url).pathname;
const discovery = await discoverFiles(root, {
  include: ['services/**/*.ts'],
  exclude: ['**/test/**'],
  maxFileBytes: 1e6,
});
const chunker = createChunker();
const texts: string[] = [];
for (const path of discovery.files.keys()) {
  const file = await readSourceFile(root, path, 1e6);
  if (file.kind !== 'text') continue;
  for (const chunk of await chunker.chunk({ repository: 'bench', path, content: file.content }))
    texts.push(embeddingText(chunk));
  if (texts.length >= wanted) break;
}
texts.length = Math.min(texts.length, wanted);
const averageChars = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
console.log(
  `${texts.length} chunks, ${averageChars} chars on average; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);

const modelFile = await fetchDefaultModel(loadConfig(process.env), { logger: winston.createLogger({ silent: true }) });
const models: Array<[string, (workers: number) => Promise<Embedder>]> = [
  ['all-MiniLM-L6-v2 int8 (default)', (workers) => OnnxEmbedder.start(minilmModel(modelFile), { workers })],
  [
    'USE-lite (fallback)',
    async (workers) => {
      const embedder = new UseLiteEmbedder({ workers });
      await embedder.start();
      return embedder;
    },
  ],
];

// chunks per CPU-second (all threads' user + system time): what each busy core yields, whatever else runs on the
// machine; on a shared machine wall-clock chunks/s mostly measures the neighbours.
console.log('| model | workers | model load s | chunks/s | chunks per CPU-second | RSS MB after |');
console.log('|---|---|---|---|---|---|');
for (const [name, start] of models) {
  for (const workers of [1, 2]) {
    const loadStart = performance.now();
    const embedder = await start(workers);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    await embedder.embed(texts.slice(0, 4)); // warm-up: first inference compiles the graph
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await embedder.embed(texts);
    const cpu = process.cpuUsage(cpuBefore);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const rss = process.memoryUsage().rss / 1e6;
    console.log(
      `| ${name} | ${workers} | ${loadSeconds.toFixed(2)} | ${(texts.length / seconds).toFixed(1)} | ${(texts.length / cpuSeconds).toFixed(1)} | ${rss.toFixed(0)} |`,
    );
    await embedder.close();
  }
}
