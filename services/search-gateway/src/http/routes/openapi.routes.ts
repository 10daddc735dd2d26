import { z } from 'zod';
import { type ApiRoute, buildOpenApiDocument, defineRoute, type DocumentedOperation } from '../api-route.js';

export const OPENAPI_INFO = {
  title: 'MyRAGDB search gateway',
  version: '1.0.0',
  description:
    'Hybrid (keyword + semantic) code and documentation search, repositories and indexing jobs. ' +
    'Authenticate with `Authorization: Bearer <API key>`; errors are `{"error": {"code", "message", "request_id"}}`.',
};

/**
 * `GET /openapi.json`: the document of `routes`, of `others` (operations served outside the route table), and of this
 * route itself, generated once on first request.
 */
export function openApiRoutes(routes: readonly ApiRoute[], others: readonly DocumentedOperation[] = []): ApiRoute[] {
  let document: unknown;
  const self = defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['meta'],
    scope: undefined,
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
    handler: () => {
      document ??= buildOpenApiDocument([...routes, ...others, self], OPENAPI_INFO);
      return Promise.resolve({ status: 200 as const, body: document });
    },
  });
  return [self];
}
