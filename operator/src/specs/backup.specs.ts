/**
 * Scheduled logical backups of the managed single-instance Postgres: a CronJob runs `pg_dump --format=custom`
 * (the store's own image, so client and server versions match) and keeps `retentionDays` of dumps, either on a
 * PersistentVolumeClaim of their own or in an S3-compatible bucket (uploaded and pruned with MinIO's `mc`).
 * Restoring is `pg_restore` of one file (README: "Backups and restore"); the search stores are derived data.
 */
import type { V1Container, V1CronJob, V1EnvVar, V1PersistentVolumeClaim, V1PodSpec } from '@kubernetes/client-node';
import type { LogicalBackupSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { BuildContext, Desired } from './build-context.js';
import { POSTGRES_DATABASE, POSTGRES_USER, STORE_PORTS } from './components.js';
import { S3SecretKeys } from './cloudnative-pg.specs.js';
import { childMetadata, childName, Names, type Owner } from './names.js';
import { containerSecurityContext, podSecurityContext, scratchVolumes } from './pod.specs.js';
import { SecretKeys } from './secrets.specs.js';
import { STORE_RUNTIME } from './stores.specs.js';

export const BACKUP_COMPONENT = 'postgres-backup';
const BACKUP_DIR = '/backups';
/** The uploader image runs as a non-root user of our choosing; mc writes its config below /tmp. */
const UPLOADER_UID = 1000;

export const BackupNames = {
  cronJob: (owner: Pick<Owner, 'name'>) => childName(owner, BACKUP_COMPONENT),
  claim: (owner: Pick<Owner, 'name'>) => childName(owner, 'postgres-backups'),
};

/**
 * Dumps the database named by the libpq variables (PGHOST, PGUSER, PGPASSWORD, ...) into BACKUP_DIR as
 * `myragdb-<UTC timestamp>.dump`, written under a temporary name and renamed only when complete; then, if
 * RETENTION_DAYS is set, deletes dumps older than that. A failed dump exits non-zero and deletes nothing.
 */
export const LOGICAL_BACKUP_SCRIPT = [
  'set -eu',
  'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
  'file="$BACKUP_DIR/myragdb-$stamp.dump"',
  'pg_dump --format=custom --no-owner --no-privileges --file="$file.partial"',
  'mv "$file.partial" "$file"',
  'echo "backup written: $file ($(wc -c <"$file") bytes)"',
  'if [ -n "${RETENTION_DAYS:-}" ]; then',
  '  find "$BACKUP_DIR" -maxdepth 1 -name "myragdb-*.dump" -mmin +$((RETENTION_DAYS * 1440)) -print -delete',
  'fi',
].join('\n');

/** Uploads the dump to `backup/$S3_BUCKET/$S3_PREFIX` and deletes objects there older than RETENTION_DAYS. */
export const S3_UPLOAD_SCRIPT = [
  'set -eu',
  'mc alias set backup "$S3_ENDPOINT" "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" >/dev/null',
  'mc cp "$BACKUP_DIR"/myragdb-*.dump "backup/$S3_BUCKET/$S3_PREFIX"',
  'mc rm --recursive --force --older-than "${RETENTION_DAYS}d" "backup/$S3_BUCKET/$S3_PREFIX"',
].join('\n');

const value = (name: string, text: string): V1EnvVar => ({ name, value: text });
const fromSecret = (name: string, secret: string, key: string): V1EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

function s3Prefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function dumpContainer(context: BuildContext, backup: LogicalBackupSpec, image: string): V1Container {
  const { owner } = context;
  return {
    name: 'pg-dump',
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', LOGICAL_BACKUP_SCRIPT],
    env: [
      value('PGHOST', childName(owner, 'postgres')),
      value('PGPORT', String(STORE_PORTS.postgres)),
      value('PGUSER', POSTGRES_USER),
      value('PGDATABASE', POSTGRES_DATABASE),
      fromSecret('PGPASSWORD', Names.storeCredentials(owner, 'postgres'), SecretKeys.postgresPassword),
      value('BACKUP_DIR', BACKUP_DIR),
      // On a volume the dump container prunes; in S3 mode the uploader does, in the bucket.
      ...(backup.volume ? [value('RETENTION_DAYS', String(backup.retentionDays))] : []),
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: containerSecurityContext,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [{ name: 'backups', mountPath: BACKUP_DIR }],
  };
}

function uploadContainer(context: BuildContext, s3: NonNullable<LogicalBackupSpec['s3']>, retentionDays: number) {
  return {
    name: 's3-upload',
    image: s3.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', S3_UPLOAD_SCRIPT],
    env: [
      value('S3_ENDPOINT', s3.endpoint),
      value('S3_BUCKET', s3.bucket),
      value('S3_PREFIX', s3Prefix(s3.prefix)),
      fromSecret('S3_ACCESS_KEY_ID', s3.secretRef.name, S3SecretKeys.accessKeyId),
      fromSecret('S3_SECRET_ACCESS_KEY', s3.secretRef.name, S3SecretKeys.secretAccessKey),
      value('RETENTION_DAYS', String(retentionDays)),
      value('BACKUP_DIR', BACKUP_DIR),
      value('MC_CONFIG_DIR', '/tmp/.mc'),
    ],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: containerSecurityContext,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      { name: 'backups', mountPath: BACKUP_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  } satisfies V1Container;
}

export function buildLogicalBackup(context: BuildContext): (Desired<V1PersistentVolumeClaim> | Desired<V1CronJob>)[] {
  const { owner, spec } = context;
  const managed = spec.stores.postgres.managed;
  const backup = managed?.backup;
  if (!managed || !backup) return [];
  const dump = dumpContainer(context, backup, managed.image);
  const scratch = scratchVolumes({ tmp: '/tmp' });
  const podSpec: V1PodSpec = backup.s3
    ? {
        // The dump goes to a scratch volume first, so an upload never starts from a half-written file.
        initContainers: [{ ...dump, volumeMounts: [...dump.volumeMounts!, ...scratch.mounts] }],
        containers: [uploadContainer(context, backup.s3, backup.retentionDays)],
        securityContext: podSecurityContext(UPLOADER_UID),
        volumes: [{ name: 'backups', emptyDir: {} }, ...scratch.volumes],
      }
    : {
        containers: [{ ...dump, volumeMounts: [...dump.volumeMounts!, ...scratch.mounts] }],
        securityContext: podSecurityContext(STORE_RUNTIME.postgres.uid),
        volumes: [
          { name: 'backups', persistentVolumeClaim: { claimName: BackupNames.claim(owner) } },
          ...scratch.volumes,
        ],
      };
  const labels = childMetadata(owner, '', BACKUP_COMPONENT).labels;
  const cronJob: Desired<V1CronJob> = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: childMetadata(owner, BackupNames.cronJob(owner), BACKUP_COMPONENT),
    spec: {
      schedule: backup.schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 6 * 3600,
          template: {
            metadata: { labels },
            spec: {
              ...podSpec,
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              enableServiceLinks: false,
            },
          },
        },
      },
    },
  };
  if (!backup.volume) return [cronJob];
  const claim: Desired<V1PersistentVolumeClaim> = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: childMetadata(owner, BackupNames.claim(owner), BACKUP_COMPONENT),
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(backup.volume.storageClassName ? { storageClassName: backup.volume.storageClassName } : {}),
      resources: { requests: { storage: backup.volume.size } },
    },
  };
  return [claim, cronJob];
}
