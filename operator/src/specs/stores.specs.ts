/**
 * Managed stores: one StatefulSet with a PersistentVolumeClaim and a headless Service each. PVCs follow the
 * deletion policy. A claim template is immutable, so an existing StatefulSet keeps the size it was created with
 * (the controller grows the PVCs themselves).
 */
import type { V1Container, V1EnvVar, V1Probe, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { StoreName } from '../api/v1alpha1/myragdb.spec.js';
import { DeletionPolicy, KeywordEngine } from '../api/v1alpha1/conditions.js';
import type { BuildContext, Desired } from './build-context.js';
import { POSTGRES_DATABASE, POSTGRES_USER, STORE_NAMES, STORE_PORTS } from './components.js';
import { keywordEngines } from './keyword-engine.js';
import { stableHash } from './hash.js';
import { Annotations, childMetadata, childName, instanceLabels, Names, selectorLabels } from './names.js';
import {
  containerSecurityContext,
  httpProbe,
  podSecurityContext,
  resourcesOrDefault,
  scratchVolumes,
} from './pod.specs.js';
import { SecretKeys } from './secrets.specs.js';

export const DATA_VOLUME = 'data';
/** How often the managed Meilisearch writes a snapshot to its data volume (`MEILI_SCHEDULE_SNAPSHOT`). */
export const MEILISEARCH_SNAPSHOT_INTERVAL_SECONDS = 6 * 60 * 60;

interface StoreRuntime {
  uid: number;
  dataPath: string;
  /** Extra writable paths besides the data volume. */
  scratch: Record<string, string>;
  env: (context: BuildContext) => V1EnvVar[];
  readinessProbe: V1Probe;
  livenessProbe: V1Probe;
  command?: string[];
}

const secretEnv = (name: string, secretName: string, key: string): V1EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secretName, key } },
});

const pgIsReady: V1Probe = {
  exec: { command: ['pg_isready', '-U', POSTGRES_USER, '-d', POSTGRES_DATABASE, '-h', '127.0.0.1'] },
  periodSeconds: 10,
  timeoutSeconds: 5,
  failureThreshold: 6,
};

/** Image-specific runtime facts of each store. */
export const STORE_RUNTIME: Record<StoreName, StoreRuntime> = {
  postgres: {
    uid: 999,
    dataPath: '/var/lib/postgresql/data',
    scratch: { tmp: '/tmp', run: '/var/run/postgresql' },
    env: ({ owner }) => [
      { name: 'POSTGRES_USER', value: POSTGRES_USER },
      { name: 'POSTGRES_DB', value: POSTGRES_DATABASE },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      secretEnv('POSTGRES_PASSWORD', Names.storeCredentials(owner, 'postgres'), SecretKeys.postgresPassword),
    ],
    readinessProbe: pgIsReady,
    livenessProbe: { ...pgIsReady, initialDelaySeconds: 30 },
  },
  meilisearch: {
    uid: 1000,
    dataPath: '/meili_data',
    scratch: { tmp: '/tmp' },
    env: ({ owner }) => [
      { name: 'MEILI_ENV', value: 'production' },
      { name: 'MEILI_NO_ANALYTICS', value: 'true' },
      { name: 'MEILI_DB_PATH', value: '/meili_data/data.ms' },
      { name: 'MEILI_DUMP_DIR', value: '/meili_data/dumps' },
      { name: 'MEILI_SNAPSHOT_DIR', value: '/meili_data/snapshots' },
      // A snapshot of every index on the store's volume every 6 hours: a restore point that needs no reindex.
      { name: 'MEILI_SCHEDULE_SNAPSHOT', value: String(MEILISEARCH_SNAPSHOT_INTERVAL_SECONDS) },
      secretEnv('MEILI_MASTER_KEY', Names.storeCredentials(owner, 'meilisearch'), SecretKeys.meilisearchMasterKey),
    ],
    readinessProbe: httpProbe('/health', 'store'),
    livenessProbe: httpProbe('/health', 'store', { initialDelaySeconds: 10 }),
  },
  chroma: {
    uid: 1000,
    dataPath: '/data',
    scratch: { tmp: '/tmp' },
    env: () => [
      { name: 'IS_PERSISTENT', value: 'TRUE' },
      { name: 'PERSIST_DIRECTORY', value: '/data' },
      { name: 'ANONYMIZED_TELEMETRY', value: 'FALSE' },
    ],
    readinessProbe: httpProbe('/api/v2/heartbeat', 'store'),
    livenessProbe: httpProbe('/api/v2/heartbeat', 'store', { initialDelaySeconds: 10 }),
  },
};

/** The stores the instance uses: Meilisearch only while searches or indexing use it as the keyword engine. */
export function usedStores(context: BuildContext): StoreName[] {
  const engines = keywordEngines(context.spec.keywordEngine, context.observed.keywordEngine);
  const meilisearch = engines.serving === KeywordEngine.Meilisearch || engines.indexing === KeywordEngine.Meilisearch;
  return STORE_NAMES.filter((store) => store !== 'meilisearch' || meilisearch);
}

export function managedStores(context: BuildContext): StoreName[] {
  return usedStores(context).filter((store) => context.spec.stores[store].managed !== undefined);
}

function storeStatefulSet(context: BuildContext, store: StoreName): Desired<V1StatefulSet> {
  const { owner, spec, observed } = context;
  const managed = spec.stores[store].managed!;
  const runtime = STORE_RUNTIME[store];
  const name = childName(owner, store);
  const scratch = scratchVolumes(runtime.scratch);
  const container: V1Container = {
    name: store,
    image: managed.image,
    imagePullPolicy: 'IfNotPresent',
    ...(runtime.command ? { command: runtime.command } : {}),
    ports: [{ name: 'store', containerPort: STORE_PORTS[store], protocol: 'TCP' }],
    env: runtime.env(context),
    resources: resourcesOrDefault(managed.resources, store),
    securityContext: containerSecurityContext,
    readinessProbe: runtime.readinessProbe,
    livenessProbe: runtime.livenessProbe,
    volumeMounts: [{ name: DATA_VOLUME, mountPath: runtime.dataPath }, ...scratch.mounts],
  };
  const retention = spec.deletionPolicy === DeletionPolicy.Delete ? 'Delete' : 'Retain';
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(owner, name, store),
    spec: {
      replicas: 1,
      serviceName: name,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: selectorLabels(owner, store) },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: retention, whenScaled: 'Retain' },
      template: {
        metadata: {
          labels: instanceLabels(owner, store),
          annotations: { [Annotations.configHash]: stableHash({ env: container.env, image: managed.image }) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(runtime.uid),
          terminationGracePeriodSeconds: 60,
          containers: [container],
          volumes: scratch.volumes,
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: DATA_VOLUME, labels: instanceLabels(owner, store) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(managed.storage.storageClassName ? { storageClassName: managed.storage.storageClassName } : {}),
            resources: { requests: { storage: observed.storeTemplateSizes[store] ?? managed.storage.size } },
          },
        },
      ],
    },
  };
}

function storeService(context: BuildContext, store: StoreName): Desired<V1Service> {
  const { owner } = context;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(owner, childName(owner, store), store),
    spec: {
      // Headless: the StatefulSet's governing service; clients resolve straight to the single pod.
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: selectorLabels(owner, store),
      ports: [{ name: 'store', port: STORE_PORTS[store], targetPort: 'store', protocol: 'TCP' }],
    },
  };
}

export function buildStores(context: BuildContext): (Desired<V1StatefulSet> | Desired<V1Service>)[] {
  return managedStores(context).flatMap((store) => [storeService(context, store), storeStatefulSet(context, store)]);
}

/** Name of the PVC the StatefulSet controller creates for a store's single replica. */
export function storeClaimName(owner: { name: string }, store: StoreName): string {
  return `${DATA_VOLUME}-${childName(owner, store)}-0`;
}
