/**
 * The one schema for every environment variable MyRAGDB reads. `.env.example` and the README's configuration table
 * are generated from it (`npm run docs:config`), and a test fails when they drift.
 */
import bytes from 'bytes';
import { z } from 'zod';

export const CONFIG_GROUPS = [
  'Runtime',
  'Logging',
  'HTTP',
  'Security',
  'PostgreSQL',
  'Search stores',
  'Embeddings',
  'Indexer',
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
  configVariables.add(field as z.ZodType, meta);
  return field;
}

function optional<T extends z.ZodType<unknown, string>>(schema: T, meta: ConfigVariableMeta) {
  const field = schema.optional();
  configVariables.add(field as z.ZodType, meta);
  return field;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

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
  const parsed = bytes.parse(value);
  if (parsed === null || !Number.isFinite(parsed) || parsed <= 0) {
    context.addIssue({ code: 'custom', message: 'must be a size such as 512kb, 10mb or 1048576' });
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
    description: 'Verbose diagnostics for development. Refused in production.',
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

  // Security
  SECRET_KEY: optional(z.string(), {
    group: 'Security',
    secret: true,
    description: 'Signing key for tokens and sessions. Required in production: 32+ random characters.',
  }),
  AUTH_ENCRYPTION_KEY: optional(z.string(), {
    group: 'Security',
    secret: true,
    description: 'Key encrypting stored credentials (e.g. git tokens). Required in production: 32+ random characters.',
  }),
  MYRAGDB_API_KEY: optional(z.string().min(1), {
    group: 'Security',
    secret: true,
    description: 'API key clients send to the search gateway. When unset, the API is open (development only).',
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
  KEYWORD_ENGINE: withDefault(z.enum(['postgres', 'meilisearch']), {
    group: 'Search stores',
    default: 'postgres',
    description: 'Keyword index: PostgreSQL full-text search, or Meilisearch (needs MEILI_URL).',
  }),
  MEILI_URL: optional(httpUrl(), {
    group: 'Search stores',
    example: 'http://127.0.0.1:7700',
    description: 'Meilisearch endpoint, used when KEYWORD_ENGINE=meilisearch.',
  }),
  MEILI_API_KEY: optional(z.string().min(1), {
    group: 'Search stores',
    secret: true,
    description: 'Meilisearch API key.',
  }),
  CHROMA_URL: optional(httpUrl(), {
    group: 'Search stores',
    example: 'http://127.0.0.1:8000',
    description: 'Chroma endpoint for vectors. When unset, a Chroma server is started with data in MYRAGDB_DATA_DIR.',
  }),

  // Embeddings
  EMBEDDING_PROVIDER: withDefault(z.enum(['local', 'openai-compatible', 'onnx']), {
    group: 'Embeddings',
    default: 'local',
    description: 'Embedder: bundled offline model, an OpenAI-compatible HTTP API, or an ONNX model on disk.',
  }),
  EMBEDDING_MODEL: optional(z.string().min(1), {
    group: 'Embeddings',
    defaultText: "provider's default",
    description: 'Model name (openai-compatible) or model directory (onnx, required).',
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

  // Indexer
  INDEXER_SYNC_INTERVAL_SECONDS: withDefault(integer(0, 86_400 * 7), {
    group: 'Indexer',
    default: '300',
    description: 'How often the indexer re-syncs repositories; 0 disables periodic sync.',
  }),
});

export type ConfigVariableName = keyof typeof configSchema.shape;
export const CONFIG_VARIABLE_NAMES = Object.keys(configSchema.shape) as ConfigVariableName[];

export function variableMeta(name: ConfigVariableName): ConfigVariableMeta {
  const meta = configVariables.get(configSchema.shape[name]);
  if (!meta) throw new Error(`config variable ${name} has no metadata`);
  return meta;
}
