import { z } from 'zod';
import { ValidationError } from '../../../../core/src/errors.js';
import { ApiKeyIdParams, ApiKeyList, CreateApiKeyRequest, CreatedApiKey, toApiKey } from '../../api/api-key.schemas.js';
import type { ApiKeyService } from '../../auth/api-key.service.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

/**
 * Key management for admins. Every request reads its key's row, so a revocation here (or by any process on the
 * same database) applies to the very next request, on every replica.
 */
export function apiKeysRoutes(keys: ApiKeyService): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/keys',
      operationId: 'createApiKey',
      summary: 'Create an API key; its secret is in this response only',
      tags: ['keys'],
      scope: 'admin',
      request: { body: CreateApiKeyRequest },
      responses: { 201: { description: 'Created', schema: CreatedApiKey } },
      handler: async ({ body }) => {
        const now = new Date();
        const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
        if (expiresAt && expiresAt.getTime() <= now.getTime()) {
          throw new ValidationError('expiresAt must be in the future', {
            details: { fields: [{ field: 'body.expiresAt', message: 'must be in the future' }] },
          });
        }
        const created = await keys.create({ name: body.name, scopes: body.scopes, expiresAt });
        return { status: 201, body: { ...toApiKey(created, now), key: created.key } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/keys',
      operationId: 'listApiKeys',
      summary: 'Every API key with its state (never a secret)',
      tags: ['keys'],
      scope: 'admin',
      responses: { 200: { description: 'Keys', schema: ApiKeyList } },
      handler: async () => {
        const now = new Date();
        return { status: 200, body: { keys: (await keys.list()).map((record) => toApiKey(record, now)) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/keys/{id}',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key; requests with it fail from the next one on',
      tags: ['keys'],
      scope: 'admin',
      request: { params: ApiKeyIdParams },
      responses: {
        200: { description: 'Revoked', schema: z.object({ revoked: z.string() }) },
        404: { description: 'No active key with this id' },
      },
      handler: async ({ params }) => {
        await keys.revoke(params.id, new Date());
        return { status: 200, body: { revoked: params.id } };
      },
    }),
  ];
}
