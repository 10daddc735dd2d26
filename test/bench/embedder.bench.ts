/**
 * Raw throughput of the offline USE-lite embedder on real code chunks (this repository's own sources, chunked by
 * the production chunker), with 1 and 2 worker threads, and the process RSS (workers are threads: one RSS).
 * `BENCH_CHUNKS` sets how many chunks (default 240). Not a test: numbers depend on the machine and its load.
 */
import { cpus, loadavg } from 'node:os';
import { UseLiteEmbedder } from '../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { createChunker } from '../../services/indexer/src/chunking/chunker.js';
import { discoverFiles } from '../../services/indexer/src/discovery/discover-files.js';
import { readSourceFile } from '../../services/indexer/src/discovery/read-source-file.js';

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
    texts.push(chunk.content);
  if (texts.length >= wanted) break;
}
texts.length = Math.min(texts.length, wanted);
const averageChars = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
console.log(
  `${texts.length} chunks, ${averageChars} chars on average; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);

console.log('| workers | model load s | chunks/s | ms/chunk | RSS MB after |');
console.log('|---|---|---|---|---|');
for (const workers of [1, 2]) {
  const embedder = new UseLiteEmbedder({ workers });
  const loadStart = performance.now();
  await embedder.start();
  const loadSeconds = (performance.now() - loadStart) / 1000;
  await embedder.embed(texts.slice(0, 4)); // warm-up: first inference compiles the graph
  const start = performance.now();
  await embedder.embed(texts);
  const seconds = (performance.now() - start) / 1000;
  const rss = process.memoryUsage().rss / 1e6;
  console.log(
    `| ${workers} | ${loadSeconds.toFixed(2)} | ${(texts.length / seconds).toFixed(1)} | ${((seconds * 1000) / texts.length).toFixed(0)} | ${rss.toFixed(0)} |`,
  );
  await embedder.close();
}
