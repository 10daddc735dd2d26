import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EmbeddingError, InternalError } from '../../errors.js';
import type { Embedder } from '../../ports/embedder.js';

/** What the embedder posts to a worker thread: texts to embed, or the request to finish and end. */
export interface EmbedRequest {
  id: number;
  texts: string[];
}
export type WorkerRequest = EmbedRequest | { stop: true };

/** What a worker thread posts back: `ready` (with its vector size) once its model is loaded, then one answer per request. */
export type WorkerMessage =
  | { type: 'ready'; dimension: number }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; vectors: number[][] }
  | { type: 'error'; id: number; error: string };

/**
 * `background` workers lower their own thread's CPU priority (Linux nice 19), so bulk indexing takes only the CPU
 * nothing else wants: a search embedding its query on an `interactive` worker, or any other process, runs first.
 */
export type WorkerPriority = 'interactive' | 'background';

export interface WorkerPoolOptions {
  /** Worker threads, each with its own copy of the model; default min(2, cores). */
  workers?: number;
  /** Texts per message to a worker. */
  batchSize?: number;
  /** Longer texts are cut: the model's cost grows with length and a chunk's opening carries its meaning. */
  maxInputChars?: number;
  priority?: WorkerPriority;
  /**
   * Stop the workers after this long without work (ms), and start them again on the next call: each holds a copy of
   * the model and its runtime (~150 MB with MiniLM), and a bulk indexer is idle most of its life. Default: never.
   */
  idleReleaseMs?: number;
}

/** What every worker receives as `workerData`: the model's own settings plus the pool's priority. */
export interface PoolWorkerData {
  priority: WorkerPriority;
}

/** What a subclass tells the pool about its model. */
export interface PooledModel {
  /** Names the model in error messages, e.g. `USE-lite`. */
  label: string;
  /** The worker module, which calls `serveEmbeddings`. */
  workerModule: URL;
  /** The model's settings, passed to every worker. */
  workerData: object;
  /** Vector size when known up front; otherwise learnt from the first worker. */
  dimension?: number;
}

interface Job {
  texts: string[];
  resolve: (vectors: number[][]) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  ready: boolean;
  /** The jobs of the batch the worker is embedding. */
  jobs?: Job[];
}

/**
 * A pool of worker threads that each load one embedding model and embed batches of texts, so embedding never
 * blocks the event loop and uses every core it is given. Texts are batched per worker; calls queued behind busy
 * workers are merged into one batch; a crashed worker fails only its batch and is replaced. Subclasses name the
 * worker module and the model.
 */
export abstract class WorkerPoolEmbedder implements Embedder {
  abstract readonly modelId: string;
  private readonly size: number;
  private readonly batchSize: number;
  private readonly maxInputChars: number;
  private readonly pool: PooledWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private startup: Promise<void> | undefined;
  private learntDimension: number | undefined;
  private readonly idleReleaseMs: number | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  private readonly label: string;
  private readonly workerModule: URL;
  private readonly workerData: PoolWorkerData;

  protected constructor(model: PooledModel, options: WorkerPoolOptions) {
    this.label = model.label;
    this.workerModule = model.workerModule;
    this.workerData = { ...model.workerData, priority: options.priority ?? 'interactive' };
    this.learntDimension = model.dimension;
    this.size = options.workers ?? Math.min(2, availableParallelism());
    this.batchSize = options.batchSize ?? 16;
    this.maxInputChars = options.maxInputChars ?? 4000;
    this.idleReleaseMs = options.idleReleaseMs;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new EmbeddingError(`${this.label} needs at least one worker`);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new EmbeddingError('batch size must be >= 1');
  }

  get dimension(): number {
    if (this.learntDimension === undefined) throw new InternalError(`${this.label}: dimension read before start()`);
    return this.learntDimension;
  }

  /** Starts the workers and waits until each has loaded the model; `embed` calls it on first use. */
  start(): Promise<void> {
    this.startup ??= Promise.all(Array.from({ length: this.size }, () => this.spawn())).then(
      () => undefined,
      async (error: unknown) => {
        // Let a later call try again from scratch rather than fail forever on one bad start.
        this.startup = undefined;
        await Promise.all(this.pool.splice(0).map(({ worker }) => stopWorker(worker)));
        throw error;
      },
    );
    return this.startup;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (this.closed) throw new EmbeddingError('embedder is closed');
    if (texts.length === 0) return [];
    await this.start();
    // Models reject an empty string; a blank one embeds like any other blank text.
    const inputs = texts.map((text) => (text.length === 0 ? ' ' : text.slice(0, this.maxInputChars)));
    const batches: Array<Promise<number[][]>> = [];
    for (let start = 0; start < inputs.length; start += this.batchSize) {
      batches.push(this.submit(inputs.slice(start, start + this.batchSize)));
    }
    const vectors = (await Promise.all(batches)).flat();
    if (vectors.length !== texts.length || vectors.some((vector) => vector.length !== this.dimension)) {
      throw new EmbeddingError(`${this.label} returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    return vectors;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const closing = new EmbeddingError('embedder closed');
    for (const job of this.queue.splice(0)) job.reject(closing);
    const slots = this.pool.splice(0);
    for (const slot of slots) for (const job of slot.jobs ?? []) job.reject(closing);
    await Promise.all(slots.map(({ worker }) => stopWorker(worker)));
  }

  private submit(texts: string[]): Promise<number[][]> {
    return new Promise((resolve, reject) => {
      // `close()` may have run while `embed` waited for the workers to start.
      if (this.closed) return reject(new EmbeddingError('embedder closed'));
      clearTimeout(this.idleTimer);
      this.queue.push({ texts, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Gives each idle worker the next queued jobs, merged into one batch of up to `batchSize` texts: concurrent
   * searches each embed one short query, and a model embeds 16 of them in one call several times faster than one
   * by one, so queries that queued behind a busy worker share its next call.
   */
  private dispatch(): void {
    if (this.queue.length === 0 && !this.pool.some((slot) => slot.jobs)) this.releaseWhenIdle();
    for (const slot of this.pool) {
      if (!slot.ready || slot.jobs) continue;
      const first = this.queue.shift();
      if (!first) return;
      const jobs = [first];
      let size = first.texts.length;
      while (this.queue.length > 0 && size + this.queue[0]!.texts.length <= this.batchSize) {
        size += this.queue[0]!.texts.length;
        jobs.push(this.queue.shift()!);
      }
      slot.jobs = jobs;
      const texts = jobs.flatMap((job) => job.texts);
      slot.worker.postMessage({ id: this.nextId++, texts } satisfies EmbedRequest);
    }
  }

  /** Arms the idle release (see `idleReleaseMs`); any new call disarms it. */
  private releaseWhenIdle(): void {
    if (this.idleReleaseMs === undefined || this.closed || !this.startup) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.closed || this.queue.length > 0 || this.pool.some((slot) => slot.jobs)) return;
      // Taken out of the pool first, so their exit is not mistaken for a crash to replace.
      const slots = this.pool.splice(0);
      this.startup = undefined;
      void Promise.all(slots.map(({ worker }) => stopWorker(worker)));
    }, this.idleReleaseMs);
    this.idleTimer.unref();
  }

  private spawn(): Promise<void> {
    const worker = startWorker(this.workerModule, this.workerData);
    const slot: PooledWorker = { worker, ready: false };
    this.pool.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            if (this.learntDimension !== undefined && this.learntDimension !== message.dimension) {
              reject(
                new EmbeddingError(
                  `${this.label} model has ${message.dimension} dimensions, expected ${this.learntDimension}`,
                ),
              );
              break;
            }
            this.learntDimension = message.dimension;
            slot.ready = true;
            resolve();
            break;
          case 'failed':
            reject(new EmbeddingError(`${this.label} model failed to load: ${message.error}`));
            break;
          case 'result':
          case 'error': {
            const jobs = slot.jobs ?? [];
            slot.jobs = undefined;
            if (message.type === 'error') {
              const failure = new EmbeddingError(`${this.label} failed to embed a batch: ${message.error}`);
              for (const job of jobs) job.reject(failure);
              break;
            }
            let offset = 0;
            for (const job of jobs) {
              job.resolve(message.vectors.slice(offset, offset + job.texts.length));
              offset += job.texts.length;
            }
            break;
          }
        }
        this.dispatch();
      });
      worker.on('error', (error) => this.retire(slot, error, reject));
      worker.on('exit', (code) => this.retire(slot, new Error(`worker exited with code ${code}`), reject));
    });
  }

  /** Fails the worker's batch and replaces it, unless the embedder is closing. */
  private retire(slot: PooledWorker, error: Error, rejectStartup: (error: Error) => void): void {
    const index = this.pool.indexOf(slot);
    if (index === -1) return;
    this.pool.splice(index, 1);
    const failure = new EmbeddingError(`${this.label} worker stopped: ${error.message}`, { cause: error });
    for (const job of slot.jobs ?? []) job.reject(failure);
    if (!slot.ready) {
      rejectStartup(failure);
      return;
    }
    if (!this.closed) {
      this.spawn().then(
        () => this.dispatch(),
        (spawnError: Error) => {
          for (const job of this.queue.splice(0)) job.reject(spawnError);
        },
      );
    }
  }
}

/** Longest wait for a worker to finish its running batch and end by itself; one batch takes well under this. */
const STOP_GRACE_MS = 30_000;

/**
 * Asks a worker to finish its running batch and end by itself, and terminates it only if it does not in time:
 * terminating a thread inside a native inference call (onnxruntime-node) aborts the whole process.
 */
async function stopWorker(worker: Worker): Promise<void> {
  const exited = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  worker.postMessage({ stop: true } satisfies WorkerRequest);
  if (!(await exited)) await worker.terminate();
}

/**
 * A model's tensors live outside the JavaScript heap; what a worker allocates on it is short-lived. A small young
 * generation (V8's default is 16 MB per semi-space, three of them) is collected sooner and keeps ~25 MB of resident
 * memory per worker that would otherwise sit unused.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 3 };

/**
 * Built, a worker is plain `.js`. Under tsx (tests, dev) this module and its workers are `.ts`, and Node 20 does
 * not pass tsx's loader on to worker threads: the worker registers it itself before importing the entry.
 */
function startWorker(built: URL, workerData: PoolWorkerData): Worker {
  const options = { resourceLimits: WORKER_LIMITS, workerData };
  if (!import.meta.url.endsWith('.ts')) return new Worker(built, options);
  const entry = built.href.replace(/\.js$/, '.ts');
  // Resolved from this module, not the working directory (`myragdb up` runs anywhere). require.resolve finds the
  // CommonJS entry of tsx's `esm/api` export; its ESM twin (the `import` condition) sits beside it.
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry)}))`;
  return new Worker(bootstrap, { ...options, eval: true });
}
