/**
 * Defaults of every optional field. The CRD schema publishes them (`default:`) so the API server fills them in,
 * and the spec parser applies the same values, so an object read from an older API server behaves identically.
 */
export const DEFAULT_VERSION = '0.1.0';
export const DEFAULT_IMAGE = 'ghcr.io/myragdb/myragdb';
export const DEFAULT_GIT_REF = 'main';

export const DEFAULT_GATEWAY_REPLICAS = 2;
export const DEFAULT_MIN_REPLICAS = 2;
export const DEFAULT_TARGET_CPU_PERCENT = 70;
export const DEFAULT_SERVICE_TYPE = 'ClusterIP';
export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;

export const DEFAULT_INDEXER_REPLICAS = 1;
export const DEFAULT_SYNC_INTERVAL = '5m';

export const DEFAULT_STORE_IMAGES = {
  postgres: 'docker.io/library/postgres:16.4',
  meilisearch: 'docker.io/getmeili/meilisearch:v1.50.0',
  chroma: 'docker.io/chromadb/chroma:0.6.3',
} as const;
export const DEFAULT_STORAGE_SIZE = '10Gi';
/** The optional Redis holding the gateways' shared rate limits and search cache (nothing to persist). */
export const DEFAULT_REDIS_IMAGE = 'docker.io/library/redis:7.4-alpine';
export const DEFAULT_REDIS_MAX_MEMORY = '256mb';

/** Backups: nightly, kept a week (pg_dump) or a month (CloudNativePG's Barman retention). */
export const DEFAULT_BACKUP_SCHEDULE = '0 2 * * *';
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;
export const DEFAULT_BACKUP_VOLUME_SIZE = '20Gi';
/** Uploads pg_dump files to S3-compatible storage and applies the retention there (`mc cp`, `mc rm --older-than`). */
export const DEFAULT_BACKUP_UPLOADER_IMAGE = 'docker.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';
export const DEFAULT_CNPG_INSTANCES = 3;
export const DEFAULT_CNPG_RETENTION_POLICY = '30d';
export const DEFAULT_CNPG_TOPOLOGY_KEY = 'kubernetes.io/hostname';

export const DEFAULT_EMBEDDING_PROVIDER = 'local';
export const DEFAULT_DELETION_POLICY = 'Retain';
export const DEFAULT_KEYWORD_ENGINE = 'meilisearch';

/** Requests and limits for a container when the spec gives none: small but never unbounded. */
export const DEFAULT_RESOURCES = {
  gateway: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  indexer: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  health: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  postgres: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  meilisearch: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  chroma: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  // maxmemory (256 MB by default) plus Redis' own overhead.
  redis: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '384Mi' } },
} as const;
