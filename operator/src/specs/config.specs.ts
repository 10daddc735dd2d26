/**
 * The services' configuration: a ConfigMap of non-secret environment variables (names from the core config schema),
 * secret environment variables as references, and the config hash that rolls pods when any of it changes.
 */
import type { V1ConfigMap, V1EnvVar } from '@kubernetes/client-node';
import type { ConfigVariableName } from '../../../services/core/src/config/config.schema.js';
import { durationSeconds } from '../api/v1alpha1/myragdb.spec.js';
import type { BuildContext, Desired } from './build-context.js';
import {
  POSTGRES_DATABASE,
  POSTGRES_USER,
  REPOSITORIES_ROOT,
  SERVICE_PORT,
  STORE_PORTS,
  WRITABLE_PATHS,
} from './components.js';
import { CloudNativePGNames, cloudNativePGUrl, CNPG_APP_PASSWORD_KEY } from './cloudnative-pg.specs.js';
import { stableHash } from './hash.js';
import { keywordEngines } from './keyword-engine.js';
import { childMetadata, childName, Names, type Owner } from './names.js';
import { buildSecrets, SecretKeys } from './secrets.specs.js';
import { redisPasswordEnv, redisUrl } from './redis.specs.js';
import { usedStores } from './stores.specs.js';

/** Variables the services read; `PGPASSWORD` is libpq's (node-postgres honours it), so no URL carries a password. */
type EnvName = ConfigVariableName | 'PGPASSWORD';

export function storeUrls(context: BuildContext): { postgres: string; meilisearch: string; chroma: string } {
  const { owner, spec } = context;
  const { postgres, meilisearch, chroma } = spec.stores;
  return {
    postgres:
      postgres.external?.url ??
      (postgres.cloudNativePG
        ? cloudNativePGUrl(owner)
        : `postgres://${POSTGRES_USER}@${childName(owner, 'postgres')}:${STORE_PORTS.postgres}/${POSTGRES_DATABASE}`),
    meilisearch: meilisearch.external?.url ?? `http://${childName(owner, 'meilisearch')}:${STORE_PORTS.meilisearch}`,
    chroma: chroma.external?.url ?? `http://${childName(owner, 'chroma')}:${STORE_PORTS.chroma}`,
  };
}

/**
 * This instance's start of store object names: its name (readable, at most 40 characters) and a hash of its
 * namespace and name (unique across the cluster). Valid as the start of a Chroma collection and a Meilisearch index.
 */
export function storeNamePrefix(owner: Pick<Owner, 'name' | 'namespace'>): string {
  const readable = owner.name.replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  return `${readable}-${stableHash({ namespace: owner.namespace, name: owner.name }, 8)}`;
}

export function buildConfigData(context: BuildContext): Partial<Record<EnvName, string>> {
  const { spec } = context;
  const urls = storeUrls(context);
  const data: Partial<Record<EnvName, string>> = {
    ENVIRONMENT: 'production',
    LOG_FORMAT: 'json',
    PORT: String(SERVICE_PORT),
    MYRAGDB_DATA_DIR: WRITABLE_PATHS.data,
    DATABASE_URL: urls.postgres,
    // The engine searches use; the indexer's differs while a switch fills the new one (see keyword-engine.ts).
    KEYWORD_ENGINE: keywordEngines(spec.keywordEngine, context.observed.keywordEngine).serving,
    CHROMA_URL: urls.chroma,
    EMBEDDING_PROVIDER: spec.embedding.provider,
    INDEXER_SYNC_INTERVAL_SECONDS: String(durationSeconds(spec.indexer.syncInterval)),
  };
  // A managed store belongs to this instance; an external one may serve others, whose repositories can have the
  // same names, so this instance's collections and index get names of their own.
  if (usedStores(context).includes('meilisearch')) data.MEILI_URL = urls.meilisearch;
  const prefix = storeNamePrefix(context.owner);
  if (spec.stores.chroma.external) data.CHROMA_COLLECTION_PREFIX = `${prefix}-`;
  if (spec.stores.meilisearch.external) data.MEILI_INDEX_PREFIX = `${prefix}_`;
  const redis = redisUrl(context);
  if (redis) data.REDIS_URL = redis;
  // An external Redis may serve other instances too: their counters and cached answers must never meet.
  if (spec.stores.redis?.external) data.REDIS_KEY_PREFIX = `${prefix}:`;
  if (spec.embedding.model) data.EMBEDDING_MODEL = spec.embedding.model;
  if (spec.embedding.endpoint) data.EMBEDDING_ENDPOINT = spec.embedding.endpoint;
  if (spec.repositories.some((repository) => repository.volume)) data.MYRAGDB_ALLOWED_ROOTS = REPOSITORIES_ROOT;
  // Behind the Ingress every request comes from the ingress controller: without one trusted hop all clients would
  // share its IP, and with it one client's rate limits.
  if (spec.searchGateway.ingress) data.TRUST_PROXY = '1';
  return data;
}

export function buildConfigMaps(context: BuildContext): Desired<V1ConfigMap>[] {
  const { owner } = context;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: childMetadata(owner, Names.config(owner), 'config'),
      data: buildConfigData(context),
    },
  ];
}

function fromSecret(name: EnvName, secretName: string, key: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** Secret environment variables, as references: values never enter a ConfigMap or a pod spec. */
export function buildSecretEnv(context: BuildContext): V1EnvVar[] {
  const { owner, spec } = context;
  const { postgres, meilisearch } = spec.stores;
  const env = [
    postgres.external
      ? fromSecret('PGPASSWORD', postgres.external.secretRef.name, postgres.external.secretRef.key)
      : postgres.cloudNativePG
        ? fromSecret('PGPASSWORD', CloudNativePGNames.appSecret(owner), CNPG_APP_PASSWORD_KEY)
        : fromSecret('PGPASSWORD', Names.storeCredentials(owner, 'postgres'), SecretKeys.postgresPassword),
    meilisearch.external
      ? fromSecret('MEILI_API_KEY', meilisearch.external.secretRef.name, meilisearch.external.secretRef.key)
      : fromSecret('MEILI_API_KEY', Names.storeCredentials(owner, 'meilisearch'), SecretKeys.meilisearchMasterKey),
    fromSecret('SECRET_KEY', Names.appCredentials(owner), SecretKeys.secretKey),
    fromSecret('AUTH_ENCRYPTION_KEY', Names.appCredentials(owner), SecretKeys.authEncryptionKey),
    fromSecret('MYRAGDB_API_KEY', Names.appCredentials(owner), SecretKeys.apiKey),
  ];
  if (spec.embedding.secretRef) {
    env.push(fromSecret('EMBEDDING_API_KEY', spec.embedding.secretRef.name, spec.embedding.secretRef.key));
  }
  const redisPassword = redisPasswordEnv(context);
  if (redisPassword) env.push(redisPassword);
  return env;
}

/** Changes whenever anything a service reads at start-up changes, so the pod template changes and pods roll. */
export function buildConfigHash(context: BuildContext): string {
  return stableHash({
    config: buildConfigData(context),
    secretEnv: buildSecretEnv(context),
    // Only the generated values this instance uses: one it does not use (say the Postgres password with an
    // external Postgres) is never stored, so it is a fresh random value on every reconcile and would roll the pods.
    generated: stableHash(buildSecrets(context).map((secret) => secret.stringData)),
  });
}
