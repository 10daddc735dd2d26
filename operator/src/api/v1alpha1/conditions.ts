/**
 * Condition types, reasons and phases of `MyRAGDB.status`: constants, never string literals in code.
 * `Ready`, `Reconciling` and `Stalled` follow kstatus (what Flux, Argo CD health checks and kpt read): Reconciling
 * is True while the operator works towards the spec, Stalled is True when it cannot get there without a change from
 * someone (an invalid spec, a failed migration, a missing CloudNativePG), and `status.observedGeneration` says which
 * spec the conditions describe.
 */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  StoresReady: 'StoresReady',
  ServicesReady: 'ServicesReady',
  ReindexSucceeded: 'ReindexSucceeded',
  ReconciliationPaused: 'ReconciliationPaused',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionReason = {
  // Ready / Progressing
  AllComponentsReady: 'AllComponentsReady',
  ComponentsNotReady: 'ComponentsNotReady',
  Reconciling: 'Reconciling',
  ReconcileComplete: 'ReconcileComplete',
  // Stalled (False)
  NotStalled: 'NotStalled',
  // Stores / services
  StoresReady: 'StoresReady',
  StoresNotReady: 'StoresNotReady',
  ServicesReady: 'ServicesReady',
  ServicesNotReady: 'ServicesNotReady',
  // Degraded
  AsExpected: 'AsExpected',
  InvalidSpec: 'InvalidSpec',
  SecretNotFound: 'SecretNotFound',
  ResourceConflict: 'ResourceConflict',
  ApplyFailed: 'ApplyFailed',
  ComponentFailed: 'ComponentFailed',
  DataCleanupFailed: 'DataCleanupFailed',
  RepositorySyncFailed: 'RepositorySyncFailed',
  CloudNativePGNotInstalled: 'CloudNativePGNotInstalled',
  MigrationFailed: 'MigrationFailed',
  BackupFailed: 'BackupFailed',
  // Upgrades
  MigrationRunning: 'MigrationRunning',
  // Reindex
  NoReindexRequested: 'NoReindexRequested',
  ReindexRunning: 'ReindexRunning',
  ReindexSucceeded: 'ReindexSucceeded',
  ReindexFailed: 'ReindexFailed',
  // Pause
  Paused: 'Paused',
  NotPaused: 'NotPaused',
  // Deletion
  Deleting: 'Deleting',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

/** Reasons of events that are not condition changes. */
export const EventReason = { RepositoryRegistered: 'RepositoryRegistered' } as const;

export const ConditionStatus = { True: 'True', False: 'False', Unknown: 'Unknown' } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

export const Phase = {
  Provisioning: 'Provisioning',
  Ready: 'Ready',
  Degraded: 'Degraded',
  Paused: 'Paused',
  Deleting: 'Deleting',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Outcome of a Job the operator runs (reindex, migration). */
export const JobResult = { Running: 'Running', Succeeded: 'Succeeded', Failed: 'Failed' } as const;
export type JobResult = (typeof JobResult)[keyof typeof JobResult];
export const ReindexResult = JobResult;
export type ReindexResult = JobResult;
export const MigrationResult = JobResult;
export type MigrationResult = JobResult;

export const BackupMethod = {
  LogicalDump: 'pg_dump',
  BarmanObjectStore: 'barmanObjectStore',
  VolumeSnapshot: 'volumeSnapshot',
} as const;
export type BackupMethod = (typeof BackupMethod)[keyof typeof BackupMethod];

export const DeletionPolicy = { Retain: 'Retain', Delete: 'Delete' } as const;
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

/** Where keyword documents live: Meilisearch, or PostgreSQL full-text search in the catalog database. */
export const KeywordEngine = { Meilisearch: 'meilisearch', Postgres: 'postgres' } as const;
export type KeywordEngine = (typeof KeywordEngine)[keyof typeof KeywordEngine];

export const EmbeddingProvider = { Local: 'local', OpenAICompatible: 'openai-compatible' } as const;
export type EmbeddingProvider = (typeof EmbeddingProvider)[keyof typeof EmbeddingProvider];
