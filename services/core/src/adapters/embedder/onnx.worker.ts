/**
 * Worker thread of the ONNX embedder: a WordPiece/BPE tokenizer from `tokenizer.json` (tokenizers.js) and the model
 * in onnxruntime-node on this thread alone (one intra-op thread: the pool gives each core its own worker), then mean
 * or CLS pooling and L2 normalisation, as sentence-transformers do. Nothing is ever downloaded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tokenizers from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import type { PoolWorkerData } from './worker-pool.embedder.js';
import { serveEmbeddings } from './serve-embeddings.js';

export interface OnnxWorkerSettings extends PoolWorkerData {
  modelFile: string;
  /** Holds `tokenizer.json` and `tokenizer_config.json`. */
  tokenizerDirectory: string;
  /** Longer inputs are cut to this many tokens (the end token kept). */
  maxTokens: number;
  pooling: 'mean' | 'cls';
}

// The package's declarations import their siblings without file extensions, which NodeNext resolution cannot
// follow: its Tokenizer is typed here as far as this worker uses it.
const Tokenizer = tokenizers.Tokenizer as unknown as new (
  tokenizer: object,
  config: object,
) => { encode(text: string): { ids: number[] } };

/** Texts of similar length run together, so short ones are not padded to the longest of a large batch. */
const RUN_SIZE = 8;

await serveEmbeddings<OnnxWorkerSettings>(async (settings) => {
  const readJson = async (name: string) =>
    JSON.parse(await readFile(join(settings.tokenizerDirectory, name), 'utf8')) as object;
  const tokenizer = new Tokenizer(await readJson('tokenizer.json'), await readJson('tokenizer_config.json'));
  const session = await ort.InferenceSession.create(settings.modelFile, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const tokenize = (text: string): number[] => {
    const { ids } = tokenizer.encode(text);
    return ids.length <= settings.maxTokens ? ids : [...ids.slice(0, settings.maxTokens - 1), ids.at(-1)!];
  };

  const run = async (sequences: readonly number[][]): Promise<number[][]> => {
    const width = Math.max(...sequences.map((ids) => ids.length));
    const shape = [sequences.length, width];
    const ids = new BigInt64Array(sequences.length * width);
    const mask = new BigInt64Array(sequences.length * width);
    sequences.forEach((sequence, row) =>
      sequence.forEach((id, column) => {
        ids[row * width + column] = BigInt(id);
        mask[row * width + column] = 1n;
      }),
    );
    const inputs: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), shape),
    };
    const feeds = Object.fromEntries(session.inputNames.map((name) => [name, inputs[name]!]));
    const output = (await session.run(feeds))[session.outputNames[0]!]!;
    const data = output.data as Float32Array;
    // [batch, tokens, dimension] token states to pool, or [batch, dimension] already pooled.
    const dimension = output.dims.at(-1)!;
    return sequences.map((sequence, row) => {
      const vector = new Float64Array(dimension);
      if (output.dims.length === 2) {
        for (let d = 0; d < dimension; d++) vector[d] = data[row * dimension + d]!;
      } else {
        const tokens = settings.pooling === 'cls' ? 1 : sequence.length;
        for (let token = 0; token < tokens; token++) {
          const offset = (row * width + token) * dimension;
          for (let d = 0; d < dimension; d++) vector[d]! += data[offset + d]!;
        }
      }
      let norm = 0;
      for (const value of vector) norm += value * value;
      norm = Math.sqrt(norm) || 1;
      return Array.from(vector, (value) => value / norm);
    });
  };

  const embed = async (texts: string[]): Promise<number[][]> => {
    const sequences = texts.map(tokenize);
    const order = sequences.map((_, index) => index).sort((a, b) => sequences[a]!.length - sequences[b]!.length);
    const vectors: number[][] = new Array<number[]>(texts.length);
    for (let start = 0; start < order.length; start += RUN_SIZE) {
      const rows = order.slice(start, start + RUN_SIZE);
      const pooled = await run(rows.map((row) => sequences[row]!));
      rows.forEach((row, index) => (vectors[row] = pooled[index]!));
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  return { dimension: probe!.length, embed, release: () => session.release() };
});
