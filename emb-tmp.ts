import { env, pipeline } from '@huggingface/transformers';
env.allowRemoteModels = false;
env.localModelPath = '/work/coord/models/';
const threads = Number(process.argv[2]);
const extractor = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', {
  dtype: 'fp32',
  local_files_only: true,
  session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
} as never);
const text = 'function parseQuery(input) { return input.split("&").map((pair) => pair.split("=")); } '.repeat(15);
for (const n of [1, 8]) {
  const t = performance.now();
  const out = await extractor(Array.from({ length: n }, () => text), { pooling: 'mean', normalize: true });
  console.log(threads, n, (performance.now() - t).toFixed(0), 'ms', out.dims);
}
