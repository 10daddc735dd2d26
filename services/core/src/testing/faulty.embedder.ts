import { DependencyError, EmbeddingError } from '../errors.js';
import type { Embedder } from '../ports/embedder.js';

/**
 * What a scheduled call does instead of answering:
 * - `throw`: rejects with `error` (default: a retryable `DependencyError`, as a down endpoint would);
 * - `short-batch`: answers one vector short, breaking the port's promise (for checking the caller's guard);
 * - `wrong-dimension`: answers vectors one element too long;
 * - `hang`: never settles until `close()`; for timeouts and cancellation.
 */
export type EmbedderFault =
  { kind: 'throw'; error?: Error } | { kind: 'short-batch' } | { kind: 'wrong-dimension' } | { kind: 'hang' };

/**
 * Test-only wrapper that injects failures into a real embedder, call by call (throw, short batch, wrong dimension,
 * hang). Its own suite checks each fault; no pipeline test uses it yet (the indexer's failure tests stop real stores).
 */
export class FaultyEmbedder implements Embedder {
  /** Every `embed` call so far, faulty or not, with its texts. */
  readonly calls: string[][] = [];
  private readonly faults = new Map<number, EmbedderFault>();
  private readonly hanging = new Set<(error: Error) => void>();

  constructor(private readonly inner: Embedder) {}

  get modelId(): string {
    return this.inner.modelId;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  /** Makes calls number `from` … `from + times - 1` (0-based, counting every call) fail with `fault`. */
  failCalls(fault: EmbedderFault, options: { from?: number; times?: number } = {}): this {
    const from = options.from ?? this.calls.length;
    for (let call = from; call < from + (options.times ?? 1); call++) this.faults.set(call, fault);
    return this;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const call = this.calls.push([...texts]) - 1;
    const fault = this.faults.get(call);
    switch (fault?.kind) {
      case undefined:
        return this.inner.embed(texts);
      case 'throw':
        throw fault.error ?? new DependencyError('embedder', `injected failure of embed call ${call}`);
      case 'short-batch':
        return (await this.inner.embed(texts)).slice(0, -1);
      case 'wrong-dimension':
        return (await this.inner.embed(texts)).map((vector) => [...vector, 0]);
      case 'hang':
        return new Promise((_, reject) => this.hanging.add(reject));
    }
  }

  async close(): Promise<void> {
    for (const reject of this.hanging) reject(new EmbeddingError('embedder closed'));
    this.hanging.clear();
    await this.inner.close();
  }
}
