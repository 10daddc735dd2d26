/** Turns texts into vectors. Implementations own their batching and worker threads. */
export interface Embedder {
  /** Stable id of the model, stored with the index: a different id means re-embed, never mix. */
  readonly modelId: string;
  readonly dimension: number;
  /** One vector per input text, in input order. Throws `EmbeddingError` rather than returning a short batch. */
  embed(texts: readonly string[]): Promise<number[][]>;
  close(): Promise<void>;
}
