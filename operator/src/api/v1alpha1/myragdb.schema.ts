/**
 * The MyRAGDB CustomResourceDefinition, the single source of the API's shape: `npm run operator:crds` writes it to
 * operator/config/crd/, `myragdb operator crds` prints it, and tests install it into a real API server.
 * Structural schema: every field typed; enums, patterns, bounds and defaults here; cross-field rules in CEL.
 */
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
import {
  BackupMethod,
  DeletionPolicy,
  EmbeddingProvider,
  KeywordEngine,
  MigrationResult,
  Phase,
  ReindexResult,
} from './conditions.js';
import { CRD_NAME, GROUP, KIND, LIST_KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from './group.js';

/** Child names append up to 19 characters (`-reindex-<hash>`) and Services/Jobs must stay 63-character DNS labels. */
export const MAX_NAME_LENGTH = 40;

/** A JSON-schema node as the CRD API takes it (a plain object; see `renderCrdYaml` for why never a typed model). */
export type SchemaNode = Record<string, unknown>;

/** Shared by the schema and the spec parser so both accept exactly the same strings. */
export const Patterns = {
  dnsLabel: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  dnsSubdomain: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  imageTag: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  image: '^[^\\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$',
  quantity:
    '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  duration: '^([0-9]+[smh])+$',
  secretKey: '^[-._a-zA-Z0-9]+$',
  url: '^(https?|postgres|postgresql|rediss?)://[^\\s]+$',
  redisMemory: '^[1-9][0-9]{0,5}(mb|gb)$',
  requestId: '^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$',
  cron: '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[^\\s]+(\\s+[^\\s]+){4})$',
  s3Bucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  objectStorePath: '^[a-z0-9]+://[^\\s]+$',
  retentionPolicy: '^[1-9][0-9]*[dwm]$',
  hostname: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
} as const;

const string = (extra: SchemaNode = {}): SchemaNode => ({ type: 'string', ...extra });
const integer = (extra: SchemaNode = {}): SchemaNode => ({ type: 'integer', format: 'int32', ...extra });
const boolean = (extra: SchemaNode = {}): SchemaNode => ({ type: 'boolean', ...extra });
const object = (properties: Record<string, SchemaNode>, extra: SchemaNode = {}): SchemaNode => ({
  type: 'object',
  properties,
  ...extra,
});
const rule = (expression: string, message: string, extra: SchemaNode = {}) => ({ rule: expression, message, ...extra });

const quantityValue: SchemaNode = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: Patterns.quantity,
  'x-kubernetes-int-or-string': true,
};
const resources = (description: string): SchemaNode =>
  object(
    {
      requests: { type: 'object', additionalProperties: quantityValue, maxProperties: 8 },
      limits: { type: 'object', additionalProperties: quantityValue, maxProperties: 8 },
    },
    { description: `${description} Defaults to small, bounded requests and a memory limit.` },
  );
const secretKeyRef = (description: string, defaultKey: string): SchemaNode =>
  object(
    {
      name: string({ pattern: Patterns.dnsSubdomain, maxLength: 253, description: 'Secret in the same namespace.' }),
      key: string({ pattern: Patterns.secretKey, maxLength: 253, default: defaultKey }),
    },
    { description, required: ['name'] },
  );

const externalUrl = (description: string): SchemaNode =>
  string({ pattern: Patterns.url, maxLength: 2048, description });

const storage = (description: string): SchemaNode =>
  object(
    {
      size: string({
        pattern: Patterns.quantity,
        default: DEFAULT_STORAGE_SIZE,
        'x-kubernetes-validations': [
          rule('quantity(self).compareTo(quantity(oldSelf)) >= 0', 'storage size can not shrink'),
        ],
      }),
      storageClassName: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }),
    },
    { default: {}, description },
  );

const secretNameRef = (description: string): SchemaNode =>
  object(
    { name: string({ pattern: Patterns.dnsSubdomain, maxLength: 253, description: 'Secret in the same namespace.' }) },
    { required: ['name'], description },
  );

const backupSchedule = (): SchemaNode =>
  string({
    pattern: Patterns.cron,
    maxLength: 128,
    default: DEFAULT_BACKUP_SCHEDULE,
    description: 'Cron schedule (5 fields, UTC) of the backups.',
  });

const S3_KEYS_DESCRIPTION = 'Secret with the keys access-key-id and secret-access-key.';

/** Scheduled logical backups (pg_dump) of the managed single-instance Postgres. */
const logicalBackup: SchemaNode = object(
  {
    schedule: backupSchedule(),
    retentionDays: integer({
      minimum: 1,
      maximum: 3650,
      default: DEFAULT_BACKUP_RETENTION_DAYS,
      description: 'Dumps older than this are deleted after each successful backup.',
    }),
    volume: object(
      {
        size: string({ pattern: Patterns.quantity, default: DEFAULT_BACKUP_VOLUME_SIZE }),
        storageClassName: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }),
      },
      { description: 'Keep the dumps on a PersistentVolumeClaim the operator creates (<name>-postgres-backups).' },
    ),
    s3: object(
      {
        endpoint: string({
          pattern: '^https?://[^\\s]+$',
          maxLength: 2048,
          description: 'S3-compatible endpoint URL.',
        }),
        bucket: string({ pattern: Patterns.s3Bucket, maxLength: 63 }),
        prefix: string({ pattern: '^[^\\s]*$', maxLength: 512, default: '', description: 'Key prefix in the bucket.' }),
        secretRef: secretNameRef(S3_KEYS_DESCRIPTION),
        image: string({ pattern: Patterns.image, maxLength: 512, default: DEFAULT_BACKUP_UPLOADER_IMAGE }),
      },
      { required: ['endpoint', 'bucket', 'secretRef'], description: 'Upload the dumps to an S3-compatible bucket.' },
    ),
  },
  {
    description: 'Scheduled pg_dump backups of the managed Postgres, to a volume or an S3-compatible bucket.',
    'x-kubernetes-validations': [rule('has(self.volume) != has(self.s3)', 'set exactly one of volume or s3')],
  },
);

const managedStore = (store: keyof typeof DEFAULT_STORE_IMAGES): SchemaNode =>
  object(
    {
      image: string({ pattern: Patterns.image, maxLength: 512, default: DEFAULT_STORE_IMAGES[store] }),
      storage: storage('Size and class of the data volume.'),
      resources: resources(`Resources of the ${store} container.`),
      ...(store === 'postgres' ? { backup: logicalBackup } : {}),
    },
    { description: `Run ${store} as a StatefulSet with a PersistentVolumeClaim.` },
  );

const toleration: SchemaNode = object({
  key: string({ maxLength: 316 }),
  operator: string({ enum: ['Exists', 'Equal'] }),
  value: string({ maxLength: 63 }),
  effect: string({ enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] }),
  tolerationSeconds: { type: 'integer', format: 'int64' },
});

/** PostgreSQL as a CloudNativePG `Cluster` (replication, failover) with a `ScheduledBackup`. */
const cloudNativePG: SchemaNode = object(
  {
    instances: integer({
      minimum: 1,
      maximum: 9,
      default: DEFAULT_CNPG_INSTANCES,
      description: 'One primary plus streaming replicas.',
    }),
    imageName: string({
      pattern: Patterns.image,
      maxLength: 512,
      description: "PostgreSQL image; default: the CloudNativePG operator's default.",
    }),
    storage: storage('Size and class of each instance volume.'),
    resources: resources('Resources of each PostgreSQL instance.'),
    affinity: object(
      {
        enablePodAntiAffinity: boolean({ default: true }),
        topologyKey: string({ maxLength: 316, default: DEFAULT_CNPG_TOPOLOGY_KEY }),
        podAntiAffinityType: string({ enum: ['preferred', 'required'], default: 'preferred' }),
        nodeSelector: { type: 'object', additionalProperties: string({ maxLength: 63 }), maxProperties: 32 },
        tolerations: { type: 'array', items: toleration, maxItems: 32 },
      },
      { default: {}, description: 'Spread of the instances over nodes (CloudNativePG affinity).' },
    ),
    backup: object(
      {
        schedule: backupSchedule(),
        retentionPolicy: string({
          pattern: Patterns.retentionPolicy,
          default: DEFAULT_CNPG_RETENTION_POLICY,
          description: 'e.g. 30d, 4w, 6m (object store backups).',
        }),
        barmanObjectStore: object(
          {
            destinationPath: string({
              pattern: Patterns.objectStorePath,
              maxLength: 2048,
              description: 'e.g. s3://bucket/path',
            }),
            endpointURL: string({ pattern: '^https?://[^\\s]+$', maxLength: 2048, description: 'Omit for AWS S3.' }),
            secretRef: secretNameRef(S3_KEYS_DESCRIPTION),
          },
          { required: ['destinationPath', 'secretRef'], description: 'Base backups and WAL archive via Barman Cloud.' },
        ),
        volumeSnapshot: object(
          { className: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }) },
          { required: ['className'], description: 'CSI volume snapshots of the instance volumes.' },
        ),
      },
      {
        description: 'A ScheduledBackup of the Cluster.',
        'x-kubernetes-validations': [
          rule(
            'has(self.barmanObjectStore) != has(self.volumeSnapshot)',
            'set exactly one of barmanObjectStore or volumeSnapshot',
          ),
        ],
      },
    ),
  },
  { description: 'Run PostgreSQL as a CloudNativePG Cluster (needs the CloudNativePG operator and its CRDs).' },
);

/** The modes of a store, exactly one of which is set; `managed` by default. */
const store = (
  name: keyof typeof DEFAULT_STORE_IMAGES,
  external: SchemaNode,
  modes: Record<string, SchemaNode> = {},
): SchemaNode => {
  const all = ['managed', 'external', ...Object.keys(modes)];
  const exactlyOne =
    all.length === 2
      ? rule('has(self.managed) != has(self.external)', 'set exactly one of managed or external')
      : rule(
          `${all.map((mode) => `(has(self.${mode}) ? 1 : 0)`).join(' + ')} == 1`,
          `set exactly one of ${all.slice(0, -1).join(', ')} or ${all.at(-1)!}`,
        );
  return object(
    { managed: managedStore(name), external, ...modes },
    {
      default: { managed: {} },
      description: `Where ${name} runs: exactly one of ${all.join(', ')}.`,
      'x-kubernetes-validations': [exactlyOne],
    },
  );
};

const repository: SchemaNode = object(
  {
    name: string({
      pattern: Patterns.dnsLabel,
      maxLength: 63,
      description: 'Repository name, unique in this MyRAGDB.',
    }),
    git: object(
      {
        url: string({ pattern: '^https://[^\\s]+$', maxLength: 2048, description: 'Clone URL (https).' }),
        ref: string({ maxLength: 255, pattern: '^[^\\s]+$', default: DEFAULT_GIT_REF }),
      },
      { required: ['url'] },
    ),
    volume: object(
      {
        claimName: string({ pattern: Patterns.dnsSubdomain, maxLength: 253, description: 'PVC holding the files.' }),
        path: string({ maxLength: 1024, pattern: '^[^\\s]*$', default: '', description: 'Sub-path inside the claim.' }),
      },
      { required: ['claimName'] },
    ),
    include: { type: 'array', items: string({ maxLength: 512 }), maxItems: 100 },
    exclude: { type: 'array', items: string({ maxLength: 512 }), maxItems: 100 },
    credentialsSecretRef: object(
      { name: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }) },
      {
        required: ['name'],
        description: 'Secret with git credentials: key password (password or access token), optional key username.',
      },
    ),
  },
  {
    required: ['name'],
    'x-kubernetes-validations': [rule('has(self.git) != has(self.volume)', 'set exactly one of git or volume')],
  },
);

const condition: SchemaNode = object(
  {
    type: string({ maxLength: 316 }),
    status: string({ enum: ['True', 'False', 'Unknown'] }),
    reason: string({ maxLength: 1024 }),
    message: string({ maxLength: 32768 }),
    lastTransitionTime: string({ format: 'date-time' }),
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

const componentStatus: SchemaNode = object({
  ready: boolean(),
  replicas: integer(),
  readyReplicas: integer(),
  external: boolean(),
  message: string(),
});

export const specSchema: SchemaNode = object(
  {
    version: string({
      pattern: Patterns.imageTag,
      default: DEFAULT_VERSION,
      description: 'Image tag of the services.',
    }),
    image: string({
      pattern: Patterns.image,
      maxLength: 512,
      default: DEFAULT_IMAGE,
      description: 'Services image, without tag.',
    }),
    repositories: {
      type: 'array',
      items: repository,
      maxItems: 200,
      default: [],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
    searchGateway: object(
      {
        replicas: integer({ minimum: 0, maximum: 100, default: DEFAULT_GATEWAY_REPLICAS }),
        autoscaling: object(
          {
            minReplicas: integer({ minimum: 1, maximum: 100, default: DEFAULT_MIN_REPLICAS }),
            maxReplicas: integer({ minimum: 1, maximum: 100 }),
            targetCPUUtilizationPercentage: integer({ minimum: 1, maximum: 100, default: DEFAULT_TARGET_CPU_PERCENT }),
          },
          {
            required: ['maxReplicas'],
            description: 'When set, a HorizontalPodAutoscaler owns the replica count and `replicas` is ignored.',
            'x-kubernetes-validations': [
              rule('self.minReplicas <= self.maxReplicas', 'minReplicas must not exceed maxReplicas'),
            ],
          },
        ),
        resources: resources('Resources of the search gateway container.'),
        service: object({ type: string({ enum: [...SERVICE_TYPES], default: DEFAULT_SERVICE_TYPE }) }, { default: {} }),
        ingress: object(
          {
            host: string({ pattern: Patterns.hostname, maxLength: 253 }),
            className: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }),
            tlsSecretName: string({ pattern: Patterns.dnsSubdomain, maxLength: 253 }),
          },
          { required: ['host'] },
        ),
      },
      { default: {} },
    ),
    indexer: object(
      {
        replicas: integer({
          minimum: 0,
          maximum: 1,
          default: DEFAULT_INDEXER_REPLICAS,
          description: 'One writer at a time.',
        }),
        resources: resources('Resources of the indexer container.'),
        syncInterval: string({
          pattern: Patterns.duration,
          default: DEFAULT_SYNC_INTERVAL,
          description: 'e.g. 5m, 1h30m.',
        }),
      },
      { default: {} },
    ),
    health: object({ resources: resources('Resources of the health service container.') }, { default: {} }),
    stores: object(
      {
        postgres: store(
          'postgres',
          object(
            {
              url: externalUrl('postgres:// URL without the password.'),
              secretRef: secretKeyRef('Secret holding the password.', 'password'),
            },
            { required: ['url', 'secretRef'] },
          ),
          { cloudNativePG },
        ),
        meilisearch: store(
          'meilisearch',
          object(
            { url: externalUrl('Meilisearch URL.'), secretRef: secretKeyRef('Secret holding the API key.', 'api-key') },
            { required: ['url', 'secretRef'] },
          ),
        ),
        chroma: store(
          'chroma',
          object(
            { url: externalUrl('Chroma URL. Chroma has no server auth: keep it on a private network.') },
            { required: ['url'] },
          ),
        ),
        redis: object(
          {
            managed: object(
              {
                image: string({ pattern: Patterns.image, maxLength: 512, default: DEFAULT_REDIS_IMAGE }),
                maxMemory: string({
                  pattern: Patterns.redisMemory,
                  default: DEFAULT_REDIS_MAX_MEMORY,
                  description: 'maxmemory of the Redis; the least recently used keys are evicted beyond it.',
                }),
                resources: resources('Resources of the Redis container.'),
              },
              { description: 'A Redis Deployment of this instance, without persistence, its password generated.' },
            ),
            external: object(
              {
                url: externalUrl('redis:// or rediss:// URL without the password.'),
                secretRef: secretKeyRef('Secret holding the password, if the Redis has one.', 'password'),
              },
              { required: ['url'] },
            ),
          },
          {
            description:
              'Optional Redis shared by the gateway replicas for rate limits and the search cache (without it each replica counts on its own): exactly one of managed or external.',
            'x-kubernetes-validations': [
              rule('has(self.managed) != has(self.external)', 'set exactly one of managed or external'),
            ],
          },
        ),
      },
      { default: {} },
    ),
    embedding: object(
      {
        provider: string({ enum: Object.values(EmbeddingProvider), default: DEFAULT_EMBEDDING_PROVIDER }),
        model: string({ maxLength: 256 }),
        endpoint: externalUrl('Base URL of the OpenAI-compatible API.'),
        secretRef: secretKeyRef('Secret holding the API key.', 'api-key'),
      },
      {
        // Not `{}`: the API server checks a default against the CEL rules without defaulting inside it.
        default: { provider: DEFAULT_EMBEDDING_PROVIDER },
        'x-kubernetes-validations': [
          rule("self.provider != 'openai-compatible' || has(self.endpoint)", 'openai-compatible needs an endpoint'),
        ],
      },
    ),
    reindex: object(
      {
        schedule: string({
          pattern: Patterns.cron,
          maxLength: 128,
          description: 'Cron schedule of periodic reindexing.',
        }),
        requestId: string({ pattern: Patterns.requestId, maxLength: 63, description: 'Change it to reindex now.' }),
      },
      { default: {} },
    ),
    keywordEngine: string({
      enum: Object.values(KeywordEngine),
      default: DEFAULT_KEYWORD_ENGINE,
      description:
        'Keyword index: meilisearch, or postgres (full-text search in the catalog database). Changing it fills the ' +
        'new engine from the catalog while the old one keeps serving; status.keywordEngine reports the progress.',
    }),
    deletionPolicy: string({
      enum: Object.values(DeletionPolicy),
      default: DEFAULT_DELETION_POLICY,
      description: 'Delete also removes stored data (PVCs, data in external stores); Retain keeps it.',
    }),
    paused: boolean({ default: false, description: 'Stop applying changes; status still reports.' }),
  },
  { default: {} },
);

export const statusSchema: SchemaNode = object({
  observedGeneration: { type: 'integer', format: 'int64' },
  phase: string({ enum: Object.values(Phase) }),
  conditions: {
    type: 'array',
    items: condition,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  },
  components: { type: 'object', additionalProperties: componentStatus },
  gatewayReplicas: integer(),
  selector: string(),
  version: string({ description: 'The version the services run (spec.version once its migrations succeeded).' }),
  endpoints: object({ gateway: string() }),
  backup: object(
    {
      method: string({ enum: Object.values(BackupMethod) }),
      lastSuccessfulTime: string({ format: 'date-time' }),
      lastFailureMessage: string(),
    },
    { description: 'Scheduled backups of PostgreSQL: how, and when one last succeeded.' },
  ),
  migration: object(
    {
      version: string(),
      job: string(),
      result: string({ enum: Object.values(MigrationResult) }),
      message: string(),
    },
    { description: 'Database migrations for spec.version; the services roll only after they succeed.' },
  ),
  keywordEngine: object(
    {
      serving: string({ enum: Object.values(KeywordEngine) }),
      target: string({ enum: Object.values(KeywordEngine) }),
      repositories: integer(),
      repositoriesMoved: integer(),
    },
    {
      description:
        'The keyword engine searches use, and during a switch the engine being filled with how many repositories ' +
        'are in it.',
    },
  ),
  lastReindex: object({
    requestId: string(),
    job: string(),
    startTime: string({ format: 'date-time' }),
    completionTime: string({ format: 'date-time' }),
    result: string({ enum: Object.values(ReindexResult) }),
  }),
});

/** The CRD as a plain object. */
export function buildCustomResourceDefinition(): SchemaNode {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'myragdb' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR, shortNames: [...SHORT_NAMES] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.searchGateway.replicas',
              statusReplicasPath: '.status.gatewayReplicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Gateway', type: 'string', jsonPath: '.status.endpoints.gateway' },
            { name: 'Version', type: 'string', jsonPath: '.spec.version' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: object(
              {
                apiVersion: string(),
                kind: string(),
                metadata: { type: 'object' },
                spec: specSchema,
                // Applied when the object is read before the operator ever wrote status, so that kstatus (Flux,
                // kpt) sees generation 1 against observedGeneration 0 and says InProgress, never a premature Current.
                status: { ...statusSchema, default: { observedGeneration: 0 } },
              },
              {
                description: 'A MyRAGDB search deployment: stores, services, scaling and reindexing.',
                'x-kubernetes-validations': [
                  rule(
                    `size(self.metadata.name) <= ${MAX_NAME_LENGTH}`,
                    `metadata.name must be at most ${MAX_NAME_LENGTH} characters (child names add suffixes)`,
                  ),
                ],
              },
            ),
          },
        },
      ],
    },
  };
}
