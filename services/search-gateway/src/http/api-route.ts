import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { ValidationError } from '../../../core/src/errors.js';
import { ErrorBody } from '../api/common.schemas.js';
import type { ApiKeyScope } from '../auth/api-key-secret.js';
import type { ApiPrincipal } from '../auth/api-key.service.js';

export const API_PREFIX = '/api/v1';

type Method = 'get' | 'post' | 'delete';

export interface RouteInput<B, P, Q> {
  body: B;
  params: P;
  query: Q;
  principal: ApiPrincipal | undefined;
  requestId: string;
}

export interface RouteOutput {
  status: number;
  body: unknown;
}

/**
 * One API operation, declared once: express mounts it with validation and scope checks from this object, and the
 * OpenAPI document is generated from the same object, so the two cannot disagree.
 */
export interface ApiRoute<B = unknown, P = unknown, Q = unknown> {
  method: Method;
  /** OpenAPI path template under `/api/v1`, e.g. `/repositories/{name}`. */
  path: string;
  /** The express path, when it differs from the template (a `{path}` that spans several segments). */
  expressPath?: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** Scope the caller's API key needs; undefined = public. */
  scope: ApiKeyScope | undefined;
  request?: { body?: z.ZodType<B>; params?: z.ZodType<P>; query?: z.ZodType<Q> };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler(input: RouteInput<B, P, Q>): Promise<RouteOutput>;
}

/** What the OpenAPI document needs of an operation: a route without its handler (routes served by plain express). */
export type DocumentedOperation = Omit<ApiRoute, 'handler'>;

/** Erases a route's type parameters for the heterogeneous route table, keeping the handler's typing at definition. */
export function defineRoute<B, P, Q>(route: ApiRoute<B, P, Q>): ApiRoute {
  return route;
}

/** Builds the middleware that admits a request for a scope and leaves its principal in `res.locals.principal`. */
export interface RouteGuard {
  /** 401 without a valid key, 403 without the scope, 429 past the key's rate limit. */
  requireScope(scope: ApiKeyScope): RequestHandler[];
  /**
   * Counts `count(req)` more requests against the authenticated key's rate limit (429 once past it), for one HTTP
   * request that carries several operations (an MCP JSON-RPC batch).
   */
  chargeExtra(count: (req: Request) => number): RequestHandler;
}

export function principalOf(res: Response): ApiPrincipal | undefined {
  return (res.locals as { principal?: ApiPrincipal }).principal;
}

/** zod issues as the `details` of a 400: where (`body.limit`) and what is wrong, never the received value. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, location: 'body' | 'params' | 'query'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
  throw new ValidationError(`invalid request ${location}: ${summary}`, { details: { fields } });
}

export function mountRoutes(router: Router, routes: readonly ApiRoute[], guard: RouteGuard): void {
  for (const route of routes) {
    const handler: RequestHandler = async (req: Request, res: Response) => {
      const input: RouteInput<unknown, unknown, unknown> = {
        body: route.request?.body ? parseOrThrow(route.request.body, req.body ?? {}, 'body') : undefined,
        params: route.request?.params ? parseOrThrow(route.request.params, req.params, 'params') : req.params,
        query: route.request?.query ? parseOrThrow(route.request.query, req.query, 'query') : undefined,
        principal: principalOf(res),
        requestId: req.requestId,
      };
      const output = await route.handler(input);
      res.status(output.status).json(output.body);
    };
    const path = `${API_PREFIX}${route.expressPath ?? route.path.replace(/\{(\w+)\}/g, ':$1')}`;
    router[route.method](path, ...(route.scope ? guard.requireScope(route.scope) : []), handler);
  }
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

/** The OpenAPI 3.1 document of `routes`, from the same zod schemas that validate requests. */
export function buildOpenApiDocument(
  routes: readonly DocumentedOperation[],
  info: OpenApiInfo,
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `myragdb apikey create` (or MYRAGDB_API_KEY), sent as `Authorization: Bearer <key>`.',
  });
  for (const route of routes) {
    const errors: RouteConfig['responses'] = {};
    const errorStatuses = [400, ...(route.scope ? [401, 403] : []), 429, 500];
    for (const status of errorStatuses) {
      errors[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorBody } },
      };
    }
    const responses: RouteConfig['responses'] = { ...errors };
    for (const [status, response] of Object.entries(route.responses)) {
      responses[Number(status)] = {
        description: response.description,
        content: { 'application/json': { schema: response.schema ?? ErrorBody } },
      };
    }
    registry.registerPath({
      method: route.method,
      path: `${API_PREFIX}${route.path}`,
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      ...(route.scope ? { security: [{ [bearer.name]: [route.scope] }] } : {}),
      request: {
        ...(route.request?.body
          ? { body: { required: true, content: { 'application/json': { schema: route.request.body } } } }
          : {}),
        ...(route.request?.params ? { params: route.request.params as RouteParameter } : {}),
        ...(route.request?.query ? { query: route.request.query as RouteParameter } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { ...info },
    servers: [{ url: '/' }],
  });
}

type RouteParameter = NonNullable<NonNullable<RouteConfig['request']>['params']>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `error.details.fields` lists each problem',
  401: 'Missing, invalid, expired or revoked API key',
  403: 'The API key lacks the required scope',
  429: 'Rate limited: see the RateLimit-* and Retry-After headers',
  500: 'Internal error (details are in the server log, under the request id)',
};
