import { z } from 'zod';
import { API_KEY_SCOPES } from '../auth/api-key-secret.js';
import type { ApiKeyRecord } from '../auth/api-key.repository.js';

export const ApiKeyScope = z.enum(API_KEY_SCOPES).meta({ id: 'ApiKeyScope' });

export const CreateApiKeyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).meta({ description: 'Who or what the key is for' }),
    scopes: z.array(ApiKeyScope).min(1).max(API_KEY_SCOPES.length).default(['search']),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'When the key stops working (ISO 8601); never when absent' }),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(ApiKeyScope),
    state: z.enum(['active', 'expired', 'revoked']),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey', description: 'A key as listed: never its secret' });

export const CreatedApiKey = ApiKey.extend({
  key: z.string().meta({ description: 'The secret key: shown once, store it now' }),
}).meta({ id: 'CreatedApiKey' });

export const ApiKeyList = z.object({ keys: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });

export const ApiKeyIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a key id is 1 to 64 letters, digits, - or _'),
});

export type ApiKey = z.infer<typeof ApiKey>;

/** A stored key as the API shows it, with its state at `now`. */
export function toApiKey(record: ApiKeyRecord, now: Date): ApiKey {
  const state = record.revokedAt
    ? 'revoked'
    : record.expiresAt && record.expiresAt.getTime() <= now.getTime()
      ? 'expired'
      : 'active';
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    state,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
  };
}
