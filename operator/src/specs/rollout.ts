/**
 * Which version the services run during an upgrade: `spec.version` only once its migrations succeeded (the Job in
 * migration.specs.ts), until then the version running now. Pure: from the spec and what was observed.
 */
import { MigrationResult } from '../api/v1alpha1/conditions.js';
import type { BuildContext } from './build-context.js';

/** Whether the migrations of `spec.version` are known to have succeeded. */
function migrated(context: Pick<BuildContext, 'spec' | 'observed'>): boolean {
  const migration = context.observed.migration;
  return migration?.version === context.spec.version && migration.result === MigrationResult.Succeeded;
}

/**
 * The version the services run: `spec.version` on a first install (nothing older serves; the services migrate
 * under the same lock when they start) or once its migrations succeeded, else the version running now.
 */
export function servingVersion(context: Pick<BuildContext, 'spec' | 'observed'>): string {
  const running = context.observed.runningVersion;
  if (running === undefined || running === context.spec.version || migrated(context)) return context.spec.version;
  return running;
}

/**
 * The migration Job is wanted while services run another version than `spec.version` and its migrations have not
 * succeeded yet. A first install has none: its services migrate when they start.
 */
export function migrationPending(context: Pick<BuildContext, 'spec' | 'observed'>): boolean {
  const running = context.observed.runningVersion;
  return running !== undefined && running !== context.spec.version && !migrated(context);
}
