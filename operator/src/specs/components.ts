/**
 * What the operator knows about the MyRAGDB services and stores: entrypoints, ports, health endpoints, data paths.
 * One place, so a renamed entrypoint or port is one edit.
 */
export const SERVICE_PORT = 3002;
export const HEALTH_PATHS = {
  live: '/api/v1/health/live',
  ready: '/api/v1/health/ready',
  metrics: '/api/v1/metrics',
} as const;

export const ServiceComponent = { Gateway: 'search-gateway', Indexer: 'indexer', Health: 'health' } as const;
export type ServiceComponent = (typeof ServiceComponent)[keyof typeof ServiceComponent];
export const SERVICE_COMPONENTS = Object.values(ServiceComponent);

/** Each service's compiled entrypoint inside the services image. */
export const SERVICE_COMMANDS: Record<ServiceComponent, string[]> = {
  [ServiceComponent.Gateway]: ['node', 'dist/services/search-gateway/src/main.js'],
  [ServiceComponent.Indexer]: ['node', 'dist/services/indexer/src/main.js'],
  [ServiceComponent.Health]: ['node', 'dist/services/health/src/main.js'],
};

/** What the reindex Job and CronJob run: `myragdb reindex --full --wait` (every repository; exits 1 if a job failed). */
export const REINDEX_COMMAND = ['node', 'dist/services/cli/src/main.js', 'reindex', '--full', '--wait'];

/** What the migration Job runs before the services roll to a new version: `myragdb db migrate`. */
export const MIGRATE_COMMAND = ['node', 'dist/services/cli/src/main.js', 'db', 'migrate'];

export const STORE_NAMES = ['postgres', 'meilisearch', 'chroma'] as const;

export const STORE_PORTS = { postgres: 5432, meilisearch: 7700, chroma: 8000 } as const;

export const POSTGRES_USER = 'myragdb';
export const POSTGRES_DATABASE = 'myragdb';

/** Where containers may write, given a read-only root filesystem. */
export const WRITABLE_PATHS = { tmp: '/tmp', data: '/var/lib/myragdb' } as const;
/** Volume repositories are mounted below this root (MYRAGDB_ALLOWED_ROOTS). */
export const REPOSITORIES_ROOT = '/repositories';

/** Non-root user of the services image. */
export const SERVICE_UID = 1000;
