/**
 * A real HTTP server on loopback speaking OpenAI's `POST /v1/embeddings`, backed by a real embedder (USE-lite in
 * tests), so the OpenAI-compatible adapter is tested against real vectors. Faults can be queued per request:
 * an HTTP status with an error body, malformed JSON, a short batch, or a delay.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Embedder } from '../../services/core/src/ports/embedder.js';

export type ServerFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'malformed-json' }
  | { kind: 'short-batch' }
  | { kind: 'delay'; ms: number };

export interface OpenAiEmbeddingsServer {
  /** `http://127.0.0.1:PORT` (no `/v1`). */
  url: string;
  /** Every request: its Authorization header and the number of inputs. */
  requests: Array<{ authorization: string | undefined; inputs: number; model: string }>;
  /** Queues faults for the next requests, in order. */
  fail(...faults: ServerFault[]): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startOpenAiEmbeddingsServer(embedder: Embedder): Promise<OpenAiEmbeddingsServer> {
  const faults: ServerFault[] = [];
  const requests: OpenAiEmbeddingsServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const json = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
        return json(404, { error: { message: `no route ${request.method} ${request.url}` } });
      }
      const body = JSON.parse(await readBody(request)) as { model: string; input: string | string[] };
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      requests.push({ authorization: request.headers.authorization, inputs: inputs.length, model: body.model });
      const fault = faults.shift();
      if (fault?.kind === 'status') {
        return response.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? '{}');
      }
      if (fault?.kind === 'malformed-json') {
        return response.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [ {"embedding": [0.1,');
      }
      if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      const vectors = await embedder.embed(inputs);
      const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding }));
      if (fault?.kind === 'short-batch') data.pop();
      // Answer out of order, as the protocol allows: clients must use `index`.
      json(200, {
        object: 'list',
        model: body.model,
        data: data.reverse(),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (...queued) => faults.push(...queued),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
