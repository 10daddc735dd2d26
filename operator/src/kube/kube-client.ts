/**
 * A thin JSON client over the API server, using client-node's KubeConfig for the endpoint, TLS and credentials
 * (token, client certificate, exec plugins). Requests and responses are plain JSON: see kube-object.ts for why the
 * typed model classes are not used.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export const ContentType = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  applyPatch: 'application/apply-patch+yaml',
} as const;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Response media type; default JSON (e.g. a Table for printer columns). */
  accept?: string;
  /** Per-request timeout; watches do not go through this client. */
  timeoutMs?: number;
}

/** A non-2xx answer from the API server, with its `Status` reason (NotFound, Conflict, AlreadyExists, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isStatus(error: unknown, statusCode: number): error is KubeApiError {
  return error instanceof KubeApiError && error.statusCode === statusCode;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Told of every answered request (method, HTTP status), e.g. to count API calls. */
export type RequestObserver = (method: KubeRequest['method'], statusCode: number) => void;

export class KubeClient {
  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly observe: RequestObserver = () => {},
  ) {}

  async request<T>(request: KubeRequest): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const options: https.RequestOptions = {
      method: request.method,
      headers: {
        Accept: request.accept ?? ContentType.json,
        ...(body === undefined ? {} : { 'Content-Type': request.contentType ?? ContentType.json }),
      },
      timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const transport = url.protocol === 'https:' ? https : http;
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      const outgoing = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${request.method} ${request.path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    this.observe(request.method, statusCode);
    const parsed = text.length > 0 ? safeJson(text) : undefined;
    if (statusCode < 200 || statusCode >= 300) {
      const status = (parsed ?? {}) as { reason?: string; message?: string; details?: unknown };
      throw new KubeApiError(
        statusCode,
        status.reason ?? http.STATUS_CODES[statusCode] ?? 'Unknown',
        `${request.method} ${request.path}: ${statusCode} ${status.message ?? text.slice(0, 500)}`,
        status.details,
      );
    }
    return parsed as T;
  }

  get<T>(path: string, query?: KubeRequest['query']): Promise<T> {
    return this.request<T>({ method: 'GET', path, query });
  }

  /** GET that answers `undefined` for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** DELETE that treats 404 as done. */
  async delete(path: string, query?: KubeRequest['query']): Promise<void> {
    try {
      await this.request({ method: 'DELETE', path, query });
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
