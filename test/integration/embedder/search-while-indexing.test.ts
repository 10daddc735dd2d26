import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import winston from 'winston';
import { EmbedderFactory } from '../../../services/core/src/adapters/embedder/create-embedder.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { defaultModelFile, testModelConfig } from '../../support/default-model.js';

const QUERY = 'where does the client drop credential headers when a redirect goes to another host';

/** Chunk-sized code, each text different so nothing is cached or deduplicated along the way. */
const chunk = (index: number) =>
  `// part ${index}\nexport async function handle${index}(request, response) {\n` +
  '  const headers = normalizeHeaders(request.headers);\n  if (headers.authorization && !sameOrigin(request)) {\n' +
  '    delete headers.authorization;\n  }\n  return forward(request, { ...headers, retries: 3 }, response);\n}\n'.repeat(
    4,
  );

async function queryLatencies(embedder: Embedder, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await embedder.embed([QUERY]);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

const median = (sorted: readonly number[]) => sorted[Math.floor(sorted.length / 2)]!;

describe('searching while indexing (default model, worker threads)', function () {
  this.timeout(300_000);
  let indexing: Embedder;
  let search: Embedder;

  before(async () => {
    await defaultModelFile();
    const factory = await EmbedderFactory.resolve(testModelConfig, {
      logger: winston.createLogger({ silent: true }),
    });
    indexing = await factory.create('indexing');
    search = await factory.create('search');
  });

  after(async () => {
    await indexing?.close();
    await search?.close();
  });

  it('a query embeds within its normal latency during a large indexing batch, and the event loop stays free', async () => {
    await queryLatencies(search, 3);
    const baseline = median(await queryLatencies(search, 9));

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let bulkDone = false;
    const bulk = indexing
      .embed(Array.from({ length: 600 }, (_, index) => chunk(index)))
      .finally(() => (bulkDone = true));
    // Let the indexing workers get busy first.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = await queryLatencies(search, 9);
    const stillIndexing = !bulkDone;
    delay.disable();
    bulk.catch(() => undefined);
    await indexing.close();

    assert.ok(stillIndexing, 'the batch must outlast the measurement, or it measured nothing');
    // Relative, with room for a busy shared machine: a query waiting behind the batch would take seconds.
    assert.ok(
      median(during) <= baseline * 2.5 + 25,
      `query embed median ${median(during).toFixed(1)} ms while indexing vs ${baseline.toFixed(1)} ms idle`,
    );
    const p99 = delay.percentile(99) / 1e6;
    assert.ok(p99 < 200, `event loop delay p99 ${p99.toFixed(1)} ms while indexing`);
  });
});
