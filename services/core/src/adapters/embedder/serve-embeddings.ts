/**
 * The worker-thread side of `WorkerPoolEmbedder`: loads a model once, says `ready` with its vector size, then
 * answers each `{ id, texts }` with `{ id, vectors }` or `{ id, error }`, one request at a time. On `{ stop: true }`
 * it finishes the running request, releases the model and ends the thread by itself: terminating a thread inside a
 * native inference call (onnxruntime-node) aborts the whole process.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { PoolWorkerData, WorkerMessage, WorkerRequest } from './worker-pool.embedder.js';

export interface LoadedModel {
  dimension: number;
  embed(texts: string[]): Promise<number[][]>;
  /** Frees native resources before the thread ends. */
  release?(): Promise<void>;
}

/** Lowest CPU priority on Linux: the thread runs when nothing else wants the core. */
const BACKGROUND_NICE = 19;

export async function serveEmbeddings<Settings extends PoolWorkerData>(
  load: (settings: Settings) => Promise<LoadedModel>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('an embedding worker must run as a worker thread');
  const send = (message: WorkerMessage) => port.postMessage(message);
  const settings = workerData as Settings;
  // Before the model loads: threads the runtime starts from here inherit the priority.
  if (settings.priority === 'background') lowerThreadPriority();
  let model: LoadedModel;
  try {
    model = await load(settings);
  } catch (error) {
    send({ type: 'failed', error: String(error) });
    return;
  }
  let running: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    if ('stop' in request) {
      void running.then(async () => {
        await model.release?.().catch(() => undefined);
        port.close();
      });
      return;
    }
    running = model.embed(request.texts).then(
      (vectors) => send({ type: 'result', id: request.id, vectors }),
      (error: unknown) => send({ type: 'error', id: request.id, error: String(error) }),
    );
  });
  send({ type: 'ready', dimension: model.dimension });
}

/**
 * Linux gives every thread its own nice value, and `setpriority` on a thread id changes only that thread; Node has no
 * API for a worker's thread id, but `/proc/thread-self` names it. Elsewhere (or if refused) the worker keeps the
 * process's priority: slower searches while indexing, nothing worse.
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, BACKGROUND_NICE);
  } catch {
    // Not Linux, or not permitted: see above.
  }
}
