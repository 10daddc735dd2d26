import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../core/src/logging.js';

export interface SyncSchedulerOptions {
  /**
   * Enqueues a sync job for every repository last synced longer than `intervalSeconds` ago that has no job queued
   * or running. Deduplication happens in the database, so any number of replicas may call it at once.
   */
  enqueueDueSyncs(intervalSeconds: number): Promise<number>;
  intervalSeconds: number;
  logger: Logger;
  /** How often to look for due repositories; defaults to a tenth of the interval, between 1 s and 60 s. */
  tickMs?: number;
}

/** Periodic sync per repository. Returns when `signal` aborts; 0 seconds disables it. */
export async function runSyncScheduler(options: SyncSchedulerOptions, signal: AbortSignal): Promise<void> {
  if (options.intervalSeconds <= 0) return;
  const tickMs = options.tickMs ?? Math.min(60_000, Math.max(1_000, (options.intervalSeconds * 1000) / 10));
  while (!signal.aborted) {
    try {
      const enqueued = await options.enqueueDueSyncs(options.intervalSeconds);
      if (enqueued > 0) options.logger.info('periodic sync enqueued', { repositories: enqueued });
    } catch (error) {
      options.logger.warn('periodic sync could not enqueue', { error: (error as Error).message });
    }
    await sleep(tickMs, undefined, { signal }).catch(() => undefined);
  }
}
