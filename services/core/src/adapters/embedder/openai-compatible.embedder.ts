import { z } from 'zod';
import { DependencyError, EmbeddingError, InternalError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { Embedder } from '../../ports/embedder.js';
import { isRetryableStatus } from '../../resilience/retryable-error.js';
import { withRetry, type BackoffStrategy } from '../../resilience/retry.js';

export interface OpenAiCompatibleEmbedderOptions {
  /** Base URL of the API; `/v1/embeddings` is appended (just `/embeddings` when it already ends in `/v1`). */
  endpoint: string;
  /** Model name sent with every request. */
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged or put in error messages. */
  apiKey?: string;
  /** Expected vector size; when absent, learnt from the first response (see `discoverDimension`). */
  dimension?: number;
  batchSize?: number;
  /** Per request attempt. */
  timeoutMs?: number;
  maxRetries?: number;
  backoff?: BackoffStrategy;
  /** Longer texts are cut before sending, so one huge chunk cannot fail a batch on the server's token limit. */
  maxInputChars?: number;
  logger: Logger;
}

const responseSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().nonnegative().optional() })),
});

const DEPENDENCY = 'embedder';

/**
 * Embeddings from any server speaking OpenAI's `POST /v1/embeddings` (OpenAI, Ollama, TEI, vLLM, LiteLLM).
 * Batches requests, retries timeouts, connection failures, 429 and 5xx with backoff (`DependencyError` when they
 * persist), and checks every answer: wrong JSON, a short batch or a wrong dimension are `EmbeddingError`s.
 */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly modelId: string;
  private readonly url: string;
  private knownDimension: number | undefined;

  constructor(private readonly options: OpenAiCompatibleEmbedderOptions) {
    const base = options.endpoint.replace(/\/+$/, '');
    this.url = base.endsWith('/v1') ? `${base}/embeddings` : `${base}/v1/embeddings`;
    this.modelId = `openai-compatible/${options.model}`;
    this.knownDimension = options.dimension;
  }

  get dimension(): number {
    if (this.knownDimension === undefined) {
      throw new InternalError('embedding dimension not known yet: call discoverDimension() first');
    }
    return this.knownDimension;
  }

  /** Learns the dimension from one request unless it was configured; returns it. */
  async discoverDimension(): Promise<number> {
    if (this.knownDimension === undefined) await this.embed(['dimension probe']);
    return this.dimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const batchSize = this.options.batchSize ?? 64;
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + batchSize))));
    }
    return vectors;
  }

  async close(): Promise<void> {}

  private async embedBatch(texts: readonly string[]): Promise<number[][]> {
    const maxInputChars = this.options.maxInputChars ?? 8000;
    const body = JSON.stringify({
      model: this.options.model,
      input: texts.map((text) => (text.length === 0 ? ' ' : text.slice(0, maxInputChars))),
    });
    const payload = await withRetry(() => this.post(body), {
      operation: 'embedder.embed',
      logger: this.options.logger,
      maxRetries: this.options.maxRetries ?? 3,
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      isRetryable: (error) => error instanceof DependencyError,
    });
    const parsed = responseSchema.safeParse(payload);
    if (!parsed.success) throw new EmbeddingError('embedding endpoint answered without a data[].embedding list');
    const data = parsed.data.data;
    if (data.length !== texts.length) {
      throw new EmbeddingError(`embedding endpoint returned ${data.length} vectors for ${texts.length} texts`);
    }
    const ordered = data.every((item) => item.index !== undefined)
      ? [...data].sort((a, b) => a.index! - b.index!)
      : data;
    const dimension = this.knownDimension ?? ordered[0]!.embedding.length;
    if (dimension === 0 || ordered.some((item) => item.embedding.length !== dimension)) {
      throw new EmbeddingError(`embedding endpoint returned vectors of the wrong size (expected ${dimension})`);
    }
    this.knownDimension = dimension;
    return ordered.map((item) => item.embedding);
  }

  private async post(body: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new DependencyError(
        DEPENDENCY,
        timedOut ? `embedding endpoint ${this.url} timed out` : `embedding endpoint ${this.url} is unreachable`,
        { cause: error },
      );
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const detail = `HTTP ${response.status}${serverMessage(text, this.options.apiKey)}`;
      if (isRetryableStatus(response.status)) {
        throw new DependencyError(DEPENDENCY, `embedding endpoint ${this.url} failed: ${detail}`);
      }
      const hint = response.status === 401 || response.status === 403 ? ' (check EMBEDDING_API_KEY)' : '';
      throw new EmbeddingError(`embedding endpoint ${this.url} refused the request: ${detail}${hint}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EmbeddingError(`embedding endpoint ${this.url} answered with invalid JSON`);
    }
  }
}

/** The server's own error text, short, with the API key cut out should a server echo it. */
function serverMessage(body: string, apiKey: string | undefined): string {
  let message = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const candidate = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof candidate === 'string') message = candidate;
  } catch {
    // Not JSON: keep the raw text.
  }
  if (apiKey) message = message.split(apiKey).join('***');
  message = message.replace(/\s+/g, ' ').trim().slice(0, 200);
  return message ? `: ${message}` : '';
}
