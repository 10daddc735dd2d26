/**
 * The one catalog of MyRAGDB's Prometheus metrics. Every service registers its metrics from these definitions,
 * and the alert rules, the Grafana dashboard and the health service's scraper refer to the same names, so a rename
 * here is a rename everywhere (a test checks that every name an alert or a panel uses is really exported).
 *
 * Names follow Prometheus conventions: `myragdb_` prefix, base units (seconds, bytes), `_total` for counters.
 * Label values must stay bounded: routes are express route patterns, never raw URLs. Each service's registry adds a
 * `service` default label (services/core/src/metrics.ts), so one name serves every deployable.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly L[];
  /** Histogram buckets in the metric's unit (seconds for durations). */
  readonly buckets?: readonly number[];
}

/** Latency buckets for requests and searches: fine below 100 ms, where MyRAGDB lives, coarse up to 10 s. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Indexing jobs run for seconds to hours. */
const JOB_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400] as const;

function define<L extends string>(definition: MetricDefinition<L>): MetricDefinition<L> {
  return definition;
}

export const Metrics = {
  // HTTP, every service (route = express route pattern, status = numeric HTTP status).
  httpRequestDuration: define({
    name: 'myragdb_http_request_duration_seconds',
    help: 'HTTP request duration per route and status.',
    type: 'histogram',
    labelNames: ['method', 'route', 'status'],
    buckets: REQUEST_BUCKETS,
  }),
  httpRequests: define({
    name: 'myragdb_http_requests_total',
    help: 'HTTP requests per route and status.',
    type: 'counter',
    labelNames: ['method', 'route', 'status'],
  }),

  // Search gateway.
  searchDuration: define({
    name: 'myragdb_search_duration_seconds',
    help: 'End-to-end search latency per mode (hybrid, keyword, vector).',
    type: 'histogram',
    labelNames: ['mode'],
    buckets: REQUEST_BUCKETS,
  }),
  searchLegDuration: define({
    name: 'myragdb_search_leg_duration_seconds',
    help: 'Latency of one leg of a search (embed, keyword, vector, fusion).',
    type: 'histogram',
    labelNames: ['leg'],
    buckets: REQUEST_BUCKETS,
  }),
  searchCacheRequests: define({
    name: 'myragdb_search_cache_requests_total',
    help: 'Search cache lookups by result (hit, miss).',
    type: 'counter',
    labelNames: ['cache', 'result'],
  }),

  // Indexer.
  indexedFiles: define({
    name: 'myragdb_indexing_files_total',
    help: 'Files processed by the indexer.',
    type: 'counter',
    labelNames: ['repository'],
  }),
  indexedChunks: define({
    name: 'myragdb_indexing_chunks_total',
    help: 'Chunks written by the indexer.',
    type: 'counter',
    labelNames: ['repository'],
  }),
  indexedEmbeddings: define({
    name: 'myragdb_indexing_embeddings_total',
    help: 'Embeddings computed by the indexer (cache misses only).',
    type: 'counter',
    labelNames: ['repository'],
  }),
  indexingQueueDepth: define({
    name: 'myragdb_indexing_queue_depth',
    help: 'Indexing jobs by state (queued, running).',
    type: 'gauge',
    labelNames: ['state'],
  }),
  indexingJobDuration: define({
    name: 'myragdb_indexing_job_duration_seconds',
    help: 'Indexing job duration by outcome (succeeded, failed).',
    type: 'histogram',
    labelNames: ['outcome'],
    buckets: JOB_BUCKETS,
  }),
  indexingJobFailures: define({
    name: 'myragdb_indexing_job_failures_total',
    help: 'Indexing jobs that failed, per repository.',
    type: 'counter',
    labelNames: ['repository'],
  }),

  // Stores and embedder, wherever they are called.
  storeOperationDuration: define({
    name: 'myragdb_store_operation_duration_seconds',
    help: 'Latency of store calls (store: postgres, chroma, meilisearch, pglite, postgres-fts).',
    type: 'histogram',
    labelNames: ['store', 'operation'],
    buckets: REQUEST_BUCKETS,
  }),
  storeErrors: define({
    name: 'myragdb_store_errors_total',
    help: 'Failed store calls.',
    type: 'counter',
    labelNames: ['store', 'operation'],
  }),
  embedderDuration: define({
    name: 'myragdb_embedder_duration_seconds',
    help: 'Latency of one embed() call, per model.',
    type: 'histogram',
    labelNames: ['model'],
    buckets: REQUEST_BUCKETS,
  }),

  // Health service: what it observes, so Prometheus alerts and the health report agree.
  healthStatus: define({
    name: 'myragdb_health_status',
    help: 'Overall status: 1 for the current status (healthy, degraded, unhealthy), 0 for the others.',
    type: 'gauge',
    labelNames: ['status'],
  }),
  componentUp: define({
    name: 'myragdb_component_up',
    help: 'Whether a component passed its last health check (1 healthy, 0.5 degraded, 0 unhealthy).',
    type: 'gauge',
    labelNames: ['component'],
  }),
  componentCheckDuration: define({
    name: 'myragdb_component_check_duration_seconds',
    help: 'Duration of the last health check of a component.',
    type: 'gauge',
    labelNames: ['component'],
  }),
  systemCpuPercent: define({
    name: 'myragdb_system_cpu_percent',
    help: 'CPU busy percentage of the host, over the last probe interval.',
    type: 'gauge',
    labelNames: [],
  }),
  systemMemoryPercent: define({
    name: 'myragdb_system_memory_percent',
    help: 'Memory in use as a percentage of total memory.',
    type: 'gauge',
    labelNames: [],
  }),
  systemDiskPercent: define({
    name: 'myragdb_system_disk_percent',
    help: 'Disk space in use on the data directory as a percentage of its filesystem.',
    type: 'gauge',
    labelNames: [],
  }),
  postgresConnections: define({
    name: 'myragdb_postgres_connections',
    help: 'PostgreSQL connections of the database, by state (from pg_stat_activity).',
    type: 'gauge',
    labelNames: ['state'],
  }),
  meilisearchDocuments: define({
    name: 'myragdb_meilisearch_documents',
    help: 'Documents in this installation’s Meilisearch index.',
    type: 'gauge',
    labelNames: [],
  }),
  meilisearchPendingTasks: define({
    name: 'myragdb_meilisearch_pending_tasks',
    help: 'Meilisearch tasks of this installation’s index that are enqueued or processing.',
    type: 'gauge',
    labelNames: [],
  }),
  meilisearchOldestPendingTaskAge: define({
    name: 'myragdb_meilisearch_oldest_pending_task_age_seconds',
    help: 'How long the oldest enqueued Meilisearch task of this installation’s index has waited (0 when none).',
    type: 'gauge',
    labelNames: [],
  }),
  meilisearchFailedTasks: define({
    name: 'myragdb_meilisearch_failed_tasks',
    help: 'Meilisearch tasks of this installation’s index that failed in the last 15 minutes.',
    type: 'gauge',
    labelNames: [],
  }),
  indexingBacklog: define({
    name: 'myragdb_indexing_backlog_jobs',
    help: 'Indexing jobs waiting, as seen in the catalog by the health service.',
    type: 'gauge',
    labelNames: [],
  }),
  indexingStuckJobs: define({
    name: 'myragdb_indexing_stuck_jobs',
    help: 'Running indexing jobs without progress for longer than the stuck threshold.',
    type: 'gauge',
    labelNames: [],
  }),
  repositoryLastSuccessfulSync: define({
    name: 'myragdb_repository_last_successful_sync_timestamp_seconds',
    help: 'Unix time of the last successful index of a repository.',
    type: 'gauge',
    labelNames: ['repository'],
  }),
  repositoryConsecutiveSyncFailures: define({
    name: 'myragdb_repository_consecutive_sync_failures',
    help: 'Failed indexing jobs of a repository since its last successful one.',
    type: 'gauge',
    labelNames: ['repository'],
  }),
  alertActive: define({
    name: 'myragdb_alert_active',
    help: 'Alerts firing in the health service (1 while firing).',
    type: 'gauge',
    labelNames: ['alertname', 'severity'],
  }),
} as const;

export type MetricKey = keyof typeof Metrics;
