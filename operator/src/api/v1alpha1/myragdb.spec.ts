/**
 * The spec parser: mirrors the CRD schema (same patterns, same defaults) and adds what the schema cannot say, such
 * as cron field ranges, URL schemes per store, and limits not below requests. A spec the API server accepted but
 * this parser rejects becomes a `Degraded` condition with reason `InvalidSpec`, never a crash.
 */
import { z } from 'zod';
import { DeletionPolicy, EmbeddingProvider, KeywordEngine } from './conditions.js';
import {
  DEFAULT_BACKUP_RETENTION_DAYS,
  DEFAULT_BACKUP_SCHEDULE,
  DEFAULT_BACKUP_UPLOADER_IMAGE,
  DEFAULT_BACKUP_VOLUME_SIZE,
  DEFAULT_CNPG_INSTANCES,
  DEFAULT_CNPG_RETENTION_POLICY,
  DEFAULT_CNPG_TOPOLOGY_KEY,
  DEFAULT_DELETION_POLICY,
  DEFAULT_EMBEDDING_PROVIDER,
  DEFAULT_GATEWAY_REPLICAS,
  DEFAULT_GIT_REF,
  DEFAULT_IMAGE,
  DEFAULT_INDEXER_REPLICAS,
  DEFAULT_KEYWORD_ENGINE,
  DEFAULT_MIN_REPLICAS,
  DEFAULT_SERVICE_TYPE,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_REDIS_IMAGE,
  DEFAULT_REDIS_MAX_MEMORY,
  DEFAULT_STORE_IMAGES,
  DEFAULT_SYNC_INTERVAL,
  DEFAULT_TARGET_CPU_PERCENT,
  DEFAULT_VERSION,
  SERVICE_TYPES,
} from './defaults.js';
import { Patterns } from './myragdb.schema.js';
import { parseQuantity } from './quantity.js';

const pattern = (source: string, message: string) => z.string().regex(new RegExp(source), message);
const dnsSubdomain = pattern(Patterns.dnsSubdomain, 'must be a lowercase DNS name').max(253);
const quantity = z
  .union([z.number().int().nonnegative(), pattern(Patterns.quantity, 'must be a quantity such as 500m, 1Gi or 2')])
  .transform(String);
const resourceMap = z.record(z.string(), quantity);

const resources = z
  .object({ requests: resourceMap.optional(), limits: resourceMap.optional() })
  .strict()
  .superRefine((value, context) => {
    for (const [name, limit] of Object.entries(value.limits ?? {})) {
      const request = value.requests?.[name];
      if (request !== undefined && parseQuantity(limit) < parseQuantity(request)) {
        context.addIssue({
          code: 'custom',
          path: ['limits', name],
          message: `limit ${limit} is below request ${request}`,
        });
      }
    }
  });

const secretKeyRef = (defaultKey: string) =>
  z
    .object({ name: dnsSubdomain, key: pattern(Patterns.secretKey, 'must be a Secret key').default(defaultKey) })
    .strict();

const url = (schemes: readonly string[]) =>
  z
    .string()
    .max(2048)
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL with scheme ${schemes.join(' or ')}`,
    );

const storage = z
  .object({
    size: pattern(Patterns.quantity, 'must be a quantity such as 10Gi')
      .refine((size) => parseQuantity(size) > 0, 'must be larger than zero')
      .default(DEFAULT_STORAGE_SIZE),
    storageClassName: dnsSubdomain.optional(),
  })
  .strict()
  .default({ size: DEFAULT_STORAGE_SIZE });

const secretNameRef = z.object({ name: dnsSubdomain }).strict();

const cronSchedule = () =>
  z
    .string()
    .max(128)
    .superRefine((schedule, context) => {
      const problem = cronProblem(schedule);
      if (problem) context.addIssue({ code: 'custom', message: `invalid cron schedule: ${problem}` });
    });

const logicalBackup = z
  .object({
    schedule: cronSchedule().default(DEFAULT_BACKUP_SCHEDULE),
    retentionDays: z.number().int().min(1).max(3650).default(DEFAULT_BACKUP_RETENTION_DAYS),
    volume: z
      .object({
        size: pattern(Patterns.quantity, 'must be a quantity such as 20Gi').default(DEFAULT_BACKUP_VOLUME_SIZE),
        storageClassName: dnsSubdomain.optional(),
      })
      .strict()
      .optional(),
    s3: z
      .object({
        endpoint: url(['http', 'https']),
        bucket: pattern(Patterns.s3Bucket, 'must be an S3 bucket name'),
        prefix: pattern('^[^\\s]*$', 'must not contain spaces').max(512).default(''),
        secretRef: secretNameRef,
        image: pattern(Patterns.image, 'must be an image reference').default(DEFAULT_BACKUP_UPLOADER_IMAGE),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((value) => (value.volume === undefined) !== (value.s3 === undefined), {
    message: 'set exactly one of volume or s3',
  });

const managed = (store: keyof typeof DEFAULT_STORE_IMAGES) =>
  z
    .object({
      image: pattern(Patterns.image, 'must be an image reference').default(DEFAULT_STORE_IMAGES[store]),
      storage,
      resources: resources.optional(),
    })
    .strict();

const managedPostgres = managed('postgres').extend({ backup: logicalBackup.optional() }).strict();

const toleration = z
  .object({
    key: z.string().max(316).optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().max(63).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

const cloudNativePG = z
  .object({
    instances: z.number().int().min(1).max(9).default(DEFAULT_CNPG_INSTANCES),
    imageName: pattern(Patterns.image, 'must be an image reference').optional(),
    storage,
    resources: resources.optional(),
    affinity: z
      .object({
        enablePodAntiAffinity: z.boolean().default(true),
        topologyKey: z.string().min(1).max(316).default(DEFAULT_CNPG_TOPOLOGY_KEY),
        podAntiAffinityType: z.enum(['preferred', 'required']).default('preferred'),
        nodeSelector: z.record(z.string(), z.string().max(63)).optional(),
        tolerations: z.array(toleration).max(32).optional(),
      })
      .strict()
      .prefault({}),
    backup: z
      .object({
        schedule: cronSchedule().default(DEFAULT_BACKUP_SCHEDULE),
        retentionPolicy: pattern(Patterns.retentionPolicy, 'must be a number and d, w or m, such as 30d').default(
          DEFAULT_CNPG_RETENTION_POLICY,
        ),
        barmanObjectStore: z
          .object({
            destinationPath: pattern(Patterns.objectStorePath, 'must be a URL such as s3://bucket/path').max(2048),
            endpointURL: url(['http', 'https']).optional(),
            secretRef: secretNameRef,
          })
          .strict()
          .optional(),
        volumeSnapshot: z.object({ className: dnsSubdomain }).strict().optional(),
      })
      .strict()
      .refine((value) => (value.barmanObjectStore === undefined) !== (value.volumeSnapshot === undefined), {
        message: 'set exactly one of barmanObjectStore or volumeSnapshot',
      })
      .optional(),
  })
  .strict();

const exactlyOneMode = (value: Record<string, unknown>, modes: readonly string[]) =>
  modes.filter((mode) => value[mode] !== undefined).length === 1;

const store = <E extends z.ZodType>(name: 'meilisearch' | 'chroma', external: E) =>
  z
    .object({ managed: managed(name).optional(), external: external.optional() })
    .strict()
    .refine((value) => exactlyOneMode(value, ['managed', 'external']), {
      message: 'set exactly one of managed or external',
    })
    .default({ managed: managed(name).parse({}) });

/** Optional: without it every gateway replica keeps its own rate-limit counters and search cache. */
const redisStore = z
  .object({
    managed: z
      .object({
        image: pattern(Patterns.image, 'must be an image reference').default(DEFAULT_REDIS_IMAGE),
        maxMemory: pattern(Patterns.redisMemory, 'must be a size such as 256mb or 1gb').default(
          DEFAULT_REDIS_MAX_MEMORY,
        ),
        resources: resources.optional(),
      })
      .strict()
      .optional(),
    external: z
      .object({ url: url(['redis', 'rediss']), secretRef: secretKeyRef('password').optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((value) => exactlyOneMode(value, ['managed', 'external']), {
    message: 'set exactly one of managed or external',
  });

const POSTGRES_MODES = ['managed', 'external', 'cloudNativePG'] as const;

const postgresStore = z
  .object({
    managed: managedPostgres.optional(),
    external: z
      .object({ url: url(['postgres', 'postgresql']), secretRef: secretKeyRef('password') })
      .strict()
      .optional(),
    cloudNativePG: cloudNativePG.optional(),
  })
  .strict()
  .refine((value) => exactlyOneMode(value, POSTGRES_MODES), {
    message: 'set exactly one of managed, external or cloudNativePG',
  })
  .default({ managed: managedPostgres.parse({}) });

/** Five cron fields with their ranges; names (JAN, MON) and the Jenkins-style `H` are not supported by CronJob. */
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

export function cronProblem(schedule: string): string | undefined {
  if (schedule.startsWith('@')) return undefined;
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) return `needs 5 fields, got ${fields.length}`;
  for (const [index, field] of fields.entries()) {
    const { name, min, max } = CRON_FIELDS[index]!;
    for (const part of field.split(',')) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!match) return `${name} field "${field}" is not a number, range, list or step`;
      const numbers = [match[2], match[3]].filter((value) => value !== undefined).map(Number);
      if (numbers.some((value) => value < min || value > max)) return `${name} must be within ${min}-${max}`;
      if (numbers.length === 2 && numbers[0]! > numbers[1]!) return `${name} range "${part}" is reversed`;
      if (match[4] !== undefined && Number(match[4]) === 0) return `${name} step must be positive`;
    }
  }
  return undefined;
}

/** `1h30m` → 5400. */
export function durationSeconds(duration: string): number {
  const factor = { s: 1, m: 60, h: 3600 } as const;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)([smh])/g)) {
    total += Number(amount) * factor[unit as keyof typeof factor];
  }
  return total;
}

const repository = z
  .object({
    name: pattern(Patterns.dnsLabel, 'must be a lowercase DNS label').max(63),
    git: z
      .object({
        url: url(['https']),
        ref: pattern('^[^\\s]+$', 'must not contain spaces').max(255).default(DEFAULT_GIT_REF),
      })
      .strict()
      .optional(),
    volume: z
      .object({
        claimName: dnsSubdomain,
        path: z
          .string()
          .max(1024)
          .refine((value) => !value.split('/').includes('..'), 'must stay inside the claim (no ..)')
          .default(''),
      })
      .strict()
      .optional(),
    include: z.array(z.string().min(1).max(512)).max(100).optional(),
    exclude: z.array(z.string().min(1).max(512)).max(100).optional(),
    credentialsSecretRef: z.object({ name: dnsSubdomain }).strict().optional(),
  })
  .strict()
  .refine((value) => (value.git === undefined) !== (value.volume === undefined), {
    message: 'set exactly one of git or volume',
  });

export const myRAGDBSpecSchema = z
  .object({
    version: pattern(Patterns.imageTag, 'must be an image tag').default(DEFAULT_VERSION),
    image: pattern(Patterns.image, 'must be an image reference without tag').default(DEFAULT_IMAGE),
    repositories: z
      .array(repository)
      .max(200)
      .default([])
      .superRefine((repositories, context) => {
        const seen = new Set<string>();
        for (const [index, { name }] of repositories.entries()) {
          if (seen.has(name))
            context.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate name ${name}` });
          seen.add(name);
        }
      }),
    searchGateway: z
      .object({
        replicas: z.number().int().min(0).max(100).default(DEFAULT_GATEWAY_REPLICAS),
        autoscaling: z
          .object({
            minReplicas: z.number().int().min(1).max(100).default(DEFAULT_MIN_REPLICAS),
            maxReplicas: z.number().int().min(1).max(100),
            targetCPUUtilizationPercentage: z.number().int().min(1).max(100).default(DEFAULT_TARGET_CPU_PERCENT),
          })
          .strict()
          .refine((value) => value.minReplicas <= value.maxReplicas, 'minReplicas must not exceed maxReplicas')
          .optional(),
        resources: resources.optional(),
        service: z
          .object({ type: z.enum(SERVICE_TYPES).default(DEFAULT_SERVICE_TYPE) })
          .strict()
          .default({ type: DEFAULT_SERVICE_TYPE }),
        ingress: z
          .object({
            host: pattern(Patterns.hostname, 'must be a DNS host name').max(253),
            className: dnsSubdomain.optional(),
            tlsSecretName: dnsSubdomain.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    indexer: z
      .object({
        replicas: z.number().int().min(0).max(1).default(DEFAULT_INDEXER_REPLICAS),
        resources: resources.optional(),
        syncInterval: pattern(Patterns.duration, 'must be a duration such as 5m or 1h30m')
          .refine((value) => durationSeconds(value) <= 7 * 86_400, 'must be at most 7 days')
          .default(DEFAULT_SYNC_INTERVAL),
      })
      .strict()
      .prefault({}),
    health: z.object({ resources: resources.optional() }).strict().prefault({}),
    stores: z
      .object({
        postgres: postgresStore,
        meilisearch: store(
          'meilisearch',
          z.object({ url: url(['http', 'https']), secretRef: secretKeyRef('api-key') }).strict(),
        ),
        chroma: store('chroma', z.object({ url: url(['http', 'https']) }).strict()),
        redis: redisStore.optional(),
      })
      .strict()
      .prefault({}),
    embedding: z
      .object({
        provider: z.enum(Object.values(EmbeddingProvider)).default(DEFAULT_EMBEDDING_PROVIDER),
        model: z.string().min(1).max(256).optional(),
        endpoint: url(['http', 'https']).optional(),
        secretRef: secretKeyRef('api-key').optional(),
      })
      .strict()
      .refine((value) => value.provider !== EmbeddingProvider.OpenAICompatible || value.endpoint !== undefined, {
        message: 'openai-compatible needs an endpoint',
        path: ['endpoint'],
      })
      .prefault({}),
    reindex: z
      .object({
        schedule: cronSchedule().optional(),
        requestId: pattern(Patterns.requestId, 'must be letters, digits, dot, dash or underscore').optional(),
      })
      .strict()
      .prefault({}),
    keywordEngine: z.enum(Object.values(KeywordEngine)).default(DEFAULT_KEYWORD_ENGINE),
    deletionPolicy: z.enum(Object.values(DeletionPolicy)).default(DEFAULT_DELETION_POLICY),
    paused: z.boolean().default(false),
  })
  .strict();

export type MyRAGDBSpec = z.infer<typeof myRAGDBSpecSchema>;
/** The stores every instance has; Redis is optional and set apart. */
export type StoreName = Exclude<keyof MyRAGDBSpec['stores'], 'redis'>;
export type Repository = MyRAGDBSpec['repositories'][number];
export type ResourceRequirements = z.infer<typeof resources>;
export type CloudNativePGSpec = z.infer<typeof cloudNativePG>;
export type LogicalBackupSpec = z.infer<typeof logicalBackup>;
export type RedisSpec = z.infer<typeof redisStore>;

export type SpecParseResult = { ok: true; spec: MyRAGDBSpec } | { ok: false; message: string };

/** Parses a spec as the API server stored it. The message lists every problem with its field path. */
export function parseMyRAGDBSpec(raw: unknown): SpecParseResult {
  const result = myRAGDBSpecSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, spec: result.data };
  const message = result.error.issues
    .map(
      (issue) =>
        `spec${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}: ${issue.message}`,
    )
    .join('; ');
  return { ok: false, message };
}
