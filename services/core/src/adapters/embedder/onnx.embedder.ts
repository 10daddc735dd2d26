import { access } from 'node:fs/promises';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, EmbeddingError } from '../../errors.js';
import type { Embedder } from '../../ports/embedder.js';

export interface OnnxEmbedderOptions {
  /**
   * A transformers.js model directory: `config.json`, `tokenizer.json`, `tokenizer_config.json` and
   * `onnx/model.onnx` (e.g. an export of all-MiniLM-L6-v2). Nothing is ever downloaded.
   */
  modelDirectory: string;
  batchSize?: number;
  maxInputChars?: number;
  /** How token vectors become one text vector; sentence-transformers models use `mean`. */
  pooling?: 'mean' | 'cls';
}

type Extractor = FeatureExtractionPipeline;

/**
 * Local ONNX models through transformers.js and onnxruntime-node, strictly offline (`allowRemoteModels=false`).
 * `@huggingface/transformers` is an optional dependency (~450 MB with onnxruntime): it is loaded only when this
 * provider is chosen, with a clear error when it was not installed.
 */
export class OnnxEmbedder implements Embedder {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly modelId: string,
    readonly dimension: number,
    private readonly extractor: Extractor,
    private readonly options: Required<Omit<OnnxEmbedderOptions, 'modelDirectory'>>,
  ) {}

  static async load(options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
    const directory = resolve(options.modelDirectory);
    await access(join(directory, 'config.json')).catch((error: unknown) => {
      throw new ConfigError(`EMBEDDING_MODEL: ${directory} is not a model directory (no config.json)`, {
        cause: error,
      });
    });
    const transformers = await import('@huggingface/transformers').catch((error: unknown) => {
      throw new ConfigError(
        'EMBEDDING_PROVIDER=onnx needs the optional dependency @huggingface/transformers; install it with npm',
        { cause: error },
      );
    });
    const { env, pipeline } = transformers;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${dirname(directory)}/`;
    let extractor: Extractor;
    try {
      extractor = (await pipeline('feature-extraction', basename(directory), {
        dtype: 'fp32',
        local_files_only: true,
      })) as Extractor;
    } catch (error) {
      throw new ConfigError(`EMBEDDING_MODEL: cannot load the ONNX model in ${directory}: ${String(error)}`, {
        cause: error,
      });
    }
    const settings = {
      batchSize: options.batchSize ?? 8,
      maxInputChars: options.maxInputChars ?? 4000,
      pooling: options.pooling ?? 'mean',
    };
    const probe = new OnnxEmbedder(`onnx/${basename(directory)}`, 0, extractor, settings);
    const [vector] = await probe.embed(['dimension probe']);
    return new OnnxEmbedder(probe.modelId, vector!.length, extractor, settings);
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.options.batchSize) {
      const batch = texts
        .slice(start, start + this.options.batchSize)
        .map((text) => text.slice(0, this.options.maxInputChars));
      vectors.push(...(await this.run(batch)));
    }
    if (this.dimension > 0 && vectors.some((vector) => vector.length !== this.dimension)) {
      throw new EmbeddingError(`ONNX model returned vectors of the wrong size (expected ${this.dimension})`);
    }
    return vectors;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.extractor.dispose();
  }

  /** One run at a time: onnxruntime already spreads a run over every core. */
  private run(batch: string[]): Promise<number[][]> {
    const next = this.queue.then(async () => {
      try {
        const output = await this.extractor(batch, { pooling: this.options.pooling, normalize: true });
        return output.tolist() as number[][];
      } catch (error) {
        throw new EmbeddingError(`ONNX model failed to embed a batch: ${String(error)}`, { cause: error });
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
