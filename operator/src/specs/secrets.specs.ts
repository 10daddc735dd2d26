/** Generated Secrets: store credentials and the services' own keys. Values come from the caller (pure). */
import type { V1Secret } from '@kubernetes/client-node';
import { POSTGRES_USER } from './components.js';
import type { BuildContext, Desired } from './build-context.js';
import { childMetadata, Names } from './names.js';

export const SecretKeys = {
  postgresUser: 'username',
  postgresPassword: 'password',
  meilisearchMasterKey: 'master-key',
  redisPassword: 'password',
  secretKey: 'secret-key',
  authEncryptionKey: 'auth-encryption-key',
  apiKey: 'api-key',
} as const;

function secret(
  context: BuildContext,
  name: string,
  component: string,
  data: Record<string, string>,
): Desired<V1Secret> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMetadata(context.owner, name, component),
    type: 'Opaque',
    stringData: data,
  };
}

export function buildSecrets(context: BuildContext): Desired<V1Secret>[] {
  const { owner, spec, secrets } = context;
  const built = [
    secret(context, Names.appCredentials(owner), 'credentials', {
      [SecretKeys.secretKey]: secrets.secretKey,
      [SecretKeys.authEncryptionKey]: secrets.authEncryptionKey,
      [SecretKeys.apiKey]: secrets.apiKey,
    }),
  ];
  if (spec.stores.postgres.managed) {
    built.push(
      secret(context, Names.storeCredentials(owner, 'postgres'), 'postgres', {
        [SecretKeys.postgresUser]: POSTGRES_USER,
        [SecretKeys.postgresPassword]: secrets.postgresPassword,
      }),
    );
  }
  if (spec.stores.meilisearch.managed) {
    built.push(
      secret(context, Names.storeCredentials(owner, 'meilisearch'), 'meilisearch', {
        [SecretKeys.meilisearchMasterKey]: secrets.meilisearchMasterKey,
      }),
    );
  }
  if (spec.stores.redis?.managed) {
    built.push(
      secret(context, Names.storeCredentials(owner, 'redis'), 'redis', {
        [SecretKeys.redisPassword]: secrets.redisPassword,
      }),
    );
  }
  return built;
}
