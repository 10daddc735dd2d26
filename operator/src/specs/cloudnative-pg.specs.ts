/**
 * PostgreSQL on CloudNativePG: a `postgresql.cnpg.io/v1` Cluster (replicated, with failover) bootstrapped with the
 * MyRAGDB database and owner, and a ScheduledBackup to an object store (Barman Cloud) or to volume snapshots.
 * The services reach the primary through the Cluster's `-rw` Service with the password from the app Secret CNPG
 * generates (`<cluster>-app`, key `password`).
 */
import type { CloudNativePGSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { BuildContext, Desired } from './build-context.js';
import { POSTGRES_DATABASE, POSTGRES_USER, STORE_PORTS } from './components.js';
import { childMetadata, childName, type Owner } from './names.js';
import { resourcesOrDefault } from './pod.specs.js';

export const CNPG_API_VERSION = 'postgresql.cnpg.io/v1';
/** Keys of the S3 credentials Secret a user references (the same for pg_dump uploads and Barman Cloud). */
export const S3SecretKeys = { accessKeyId: 'access-key-id', secretAccessKey: 'secret-access-key' } as const;

export const CloudNativePGNames = {
  cluster: (owner: Pick<Owner, 'name'>) => childName(owner, 'postgres'),
  scheduledBackup: (owner: Pick<Owner, 'name'>) => childName(owner, 'postgres-backup'),
  /** Written by CloudNativePG: username, password, host, port, dbname, uri. */
  appSecret: (owner: Pick<Owner, 'name'>) => `${childName(owner, 'postgres')}-app`,
  /** The read-write Service CloudNativePG points at the current primary. */
  readWriteService: (owner: Pick<Owner, 'name'>) => `${childName(owner, 'postgres')}-rw`,
};

export const CNPG_APP_PASSWORD_KEY = 'password';

export function cloudNativePGUrl(owner: Pick<Owner, 'name'>): string {
  return `postgres://${POSTGRES_USER}@${CloudNativePGNames.readWriteService(owner)}:${STORE_PORTS.postgres}/${POSTGRES_DATABASE}`;
}

/** CloudNativePG schedules have a leading seconds field; ours are standard 5-field cron. */
export function cloudNativePGSchedule(schedule: string): string {
  return schedule.startsWith('@') ? schedule : `0 ${schedule}`;
}

type ClusterBackup = Record<string, unknown>;

function clusterBackup(backup: NonNullable<CloudNativePGSpec['backup']>): ClusterBackup {
  if (backup.volumeSnapshot) return { volumeSnapshot: { className: backup.volumeSnapshot.className } };
  const store = backup.barmanObjectStore!;
  const key = (name: string) => ({ name: store.secretRef.name, key: name });
  return {
    retentionPolicy: backup.retentionPolicy,
    barmanObjectStore: {
      destinationPath: store.destinationPath,
      ...(store.endpointURL ? { endpointURL: store.endpointURL } : {}),
      s3Credentials: {
        accessKeyId: key(S3SecretKeys.accessKeyId),
        secretAccessKey: key(S3SecretKeys.secretAccessKey),
      },
      wal: { compression: 'gzip' },
      data: { compression: 'gzip' },
    },
  };
}

export function buildCloudNativePG(context: BuildContext): Desired<KubeObject>[] {
  const { owner, spec } = context;
  const cnpg = spec.stores.postgres.cloudNativePG;
  if (!cnpg) return [];
  const { affinity } = cnpg;
  const cluster: Desired<KubeObject> = {
    apiVersion: CNPG_API_VERSION,
    kind: 'Cluster',
    metadata: childMetadata(owner, CloudNativePGNames.cluster(owner), 'postgres'),
    spec: {
      instances: cnpg.instances,
      ...(cnpg.imageName ? { imageName: cnpg.imageName } : {}),
      // The app user owns its database, so the trusted extensions the migrations create (pg_trgm) need no superuser.
      bootstrap: { initdb: { database: POSTGRES_DATABASE, owner: POSTGRES_USER } },
      enableSuperuserAccess: false,
      storage: {
        size: cnpg.storage.size,
        ...(cnpg.storage.storageClassName ? { storageClass: cnpg.storage.storageClassName } : {}),
      },
      resources: resourcesOrDefault(cnpg.resources, 'postgres'),
      affinity: {
        enablePodAntiAffinity: affinity.enablePodAntiAffinity,
        topologyKey: affinity.topologyKey,
        podAntiAffinityType: affinity.podAntiAffinityType,
        ...(affinity.nodeSelector ? { nodeSelector: affinity.nodeSelector } : {}),
        ...(affinity.tolerations ? { tolerations: affinity.tolerations } : {}),
      },
      ...(cnpg.backup ? { backup: clusterBackup(cnpg.backup) } : {}),
    },
  };
  if (!cnpg.backup) return [cluster];
  return [
    cluster,
    {
      apiVersion: CNPG_API_VERSION,
      kind: 'ScheduledBackup',
      metadata: childMetadata(owner, CloudNativePGNames.scheduledBackup(owner), 'postgres'),
      spec: {
        cluster: { name: CloudNativePGNames.cluster(owner) },
        schedule: cloudNativePGSchedule(cnpg.backup.schedule),
        method: cnpg.backup.volumeSnapshot ? 'volumeSnapshot' : 'barmanObjectStore',
        // Backups are records of data in the object store: they outlive the schedule and this MyRAGDB.
        backupOwnerReference: 'none',
        immediate: true,
      },
    },
  ];
}
