import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
// Loads onnxruntime's native binding in the main thread as well, for the life of the process. Without it, a worker
// thread ending while another one runs a model aborts the process (Napi::Error in the binding's per-thread cleanup;
// reproduced with onnxruntime-node 1.30 on Node 20 in about half the runs, never with this import).
import 'onnxruntime-node';
import { ConfigError } from '../../errors.js';
import type { OnnxWorkerSettings } from './onnx.worker.js';
import { WorkerPoolEmbedder, type WorkerPoolOptions } from './worker-pool.embedder.js';

export interface OnnxModel {
  /** Stored with the index: a different id re-embeds the index. */
  modelId: string;
  modelFile: string;
  /** Holds `tokenizer.json` and `tokenizer_config.json`. */
  tokenizerDirectory: string;
  /** Longer inputs are cut to this many tokens; default 256. */
  maxTokens?: number;
  /** How token vectors become one text vector; sentence-transformers models use `mean`. */
  pooling?: 'mean' | 'cls';
}

export interface OnnxDirectoryOptions extends WorkerPoolOptions {
  /**
   * A model directory: `tokenizer.json`, `tokenizer_config.json` and `onnx/model.onnx` (or `model.onnx`), e.g. an
   * export of all-MiniLM-L6-v2 from Hugging Face.
   */
  modelDirectory: string;
  maxTokens?: number;
  pooling?: 'mean' | 'cls';
}

/**
 * Local ONNX embedding models through onnxruntime-node, in a pool of worker threads (one intra-op thread each, so
 * the pool's size is the cores it uses): strictly offline, and never on the event loop.
 */
export class OnnxEmbedder extends WorkerPoolEmbedder {
  readonly modelId: string;

  private constructor(model: OnnxModel, options: WorkerPoolOptions) {
    const workerData: Omit<OnnxWorkerSettings, 'priority'> = {
      modelFile: model.modelFile,
      tokenizerDirectory: model.tokenizerDirectory,
      maxTokens: model.maxTokens ?? 256,
      pooling: model.pooling ?? 'mean',
    };
    super(
      { label: `ONNX model ${model.modelId}`, workerModule: new URL('./onnx.worker.js', import.meta.url), workerData },
      options,
    );
    this.modelId = model.modelId;
  }

  /** The embedder with its workers started and the model loaded in each. */
  static async start(model: OnnxModel, options: WorkerPoolOptions = {}): Promise<OnnxEmbedder> {
    const embedder = new OnnxEmbedder(model, { batchSize: 8, ...options });
    await embedder.start();
    return embedder;
  }

  /** A model directory (EMBEDDING_PROVIDER=onnx), id `onnx/<directory name>`. */
  static async load(options: OnnxDirectoryOptions): Promise<OnnxEmbedder> {
    const { modelDirectory, maxTokens, pooling, ...pool } = options;
    const directory = resolve(modelDirectory);
    const exists = (path: string) =>
      access(path).then(
        () => true,
        () => false,
      );
    if (!(await exists(join(directory, 'tokenizer.json')))) {
      throw new ConfigError(`EMBEDDING_MODEL: ${directory} is not a model directory (no tokenizer.json)`);
    }
    let modelFile: string | undefined;
    for (const candidate of [join(directory, 'onnx', 'model.onnx'), join(directory, 'model.onnx')]) {
      if (await exists(candidate)) {
        modelFile = candidate;
        break;
      }
    }
    if (!modelFile) throw new ConfigError(`EMBEDDING_MODEL: ${directory} has no onnx/model.onnx nor model.onnx`);
    try {
      return await OnnxEmbedder.start(
        {
          modelId: `onnx/${basename(directory)}`,
          modelFile,
          tokenizerDirectory: directory,
          ...(maxTokens !== undefined ? { maxTokens } : {}),
          ...(pooling !== undefined ? { pooling } : {}),
        },
        pool,
      );
    } catch (error) {
      throw new ConfigError(`EMBEDDING_MODEL: cannot load the ONNX model in ${directory}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
