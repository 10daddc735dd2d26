/**
 * Values of the generated Secrets: what the cluster already holds, else fresh random values. Reading them back
 * (rather than generating once and forgetting) keeps passwords stable across reconciles and operator restarts.
 */
import { randomBytes } from 'node:crypto';
import type { Owner } from '../specs/names.js';
import { Names } from '../specs/names.js';
import { SecretKeys } from '../specs/secrets.specs.js';
import type { GeneratedSecretValues } from '../specs/build-context.js';

/** 32 random bytes, base64url: 43 characters, above Meilisearch's 16-byte master key minimum and core's 32-character floor. */
const randomSecret = () => randomBytes(32).toString('base64url');

export function generatedSecretNames(owner: Pick<Owner, 'name'>): string[] {
  return [
    Names.appCredentials(owner),
    Names.storeCredentials(owner, 'postgres'),
    Names.storeCredentials(owner, 'meilisearch'),
    Names.storeCredentials(owner, 'redis'),
  ];
}

export function resolveGeneratedSecrets(
  owner: Pick<Owner, 'name'>,
  existing: Map<string, Record<string, string>>,
  generate: () => string = randomSecret,
): GeneratedSecretValues {
  const app = existing.get(Names.appCredentials(owner)) ?? {};
  const postgres = existing.get(Names.storeCredentials(owner, 'postgres')) ?? {};
  const meilisearch = existing.get(Names.storeCredentials(owner, 'meilisearch')) ?? {};
  const redis = existing.get(Names.storeCredentials(owner, 'redis')) ?? {};
  return {
    secretKey: app[SecretKeys.secretKey] || generate(),
    authEncryptionKey: app[SecretKeys.authEncryptionKey] || generate(),
    apiKey: app[SecretKeys.apiKey] || generate(),
    postgresPassword: postgres[SecretKeys.postgresPassword] || generate(),
    meilisearchMasterKey: meilisearch[SecretKeys.meilisearchMasterKey] || generate(),
    redisPassword: redis[SecretKeys.redisPassword] || generate(),
  };
}
