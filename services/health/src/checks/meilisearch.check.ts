import type { Meilisearch, Task } from 'meilisearch';
import { ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';

/** Failed tasks are counted over this window: an old failure that was since retried should not page forever. */
export const FAILED_TASK_WINDOW_MS = 15 * 60_000;
/** A task waiting longer than this means the queue is stuck (indexing usually takes seconds). */
export const STALLED_QUEUE_AFTER_MS = 15 * 60_000;

/** What the check found about this installation's index and its task queue; also exported as gauges. */
export interface MeilisearchFindings {
  index: string;
  documents: number | null;
  pendingTasks: number;
  oldestPendingTaskAgeSeconds: number;
  failedTasks: number;
  lastFailure: { uid: number; type: string; code: string | undefined; message: string | undefined } | undefined;
}

/** Healthy, or degraded with the reasons: failed tasks in the window, or a queue that has stopped moving (pure). */
export function meilisearchVerdict(findings: MeilisearchFindings): { status: HealthStatus; message: string } {
  const problems: string[] = [];
  if (findings.failedTasks > 0) {
    const last = findings.lastFailure;
    problems.push(
      `${findings.failedTasks} task(s) failed in the last ${FAILED_TASK_WINDOW_MS / 60_000} min` +
        (last ? ` (last: task ${last.uid} ${last.type}: ${last.code ?? 'error'}: ${last.message ?? ''})` : ''),
    );
  }
  if (findings.oldestPendingTaskAgeSeconds * 1000 > STALLED_QUEUE_AFTER_MS) {
    problems.push(
      `${findings.pendingTasks} task(s) pending, the oldest for ${Math.round(findings.oldestPendingTaskAgeSeconds)} s`,
    );
  }
  if (problems.length > 0) return { status: HealthStatus.DEGRADED, message: problems.join('; ') };
  const documents = findings.documents === null ? 'not created yet' : `${findings.documents} documents`;
  return {
    status: HealthStatus.HEALTHY,
    message: `available, index ${findings.index}: ${documents}, ${findings.pendingTasks} task(s) pending`,
  };
}

/**
 * Meilisearch (only when it is the keyword engine): `/health`, then this installation's index only (several
 * installations may share the server): its document count, and its task queue: tasks pending and for how long,
 * tasks failed in the last 15 minutes.
 */
export class MeilisearchCheck implements ComponentCheck<{ meilisearch: MeilisearchFindings }> {
  readonly kind = ComponentKind.KEYWORD_STORE;

  constructor(
    private readonly client: Meilisearch,
    private readonly indexUid: string,
    readonly name = 'meilisearch',
    private readonly now: () => number = Date.now,
  ) {}

  async probe(): Promise<ProbeResult<{ meilisearch: MeilisearchFindings }>> {
    const health = await this.client.health();
    if (health.status !== 'available') {
      return { status: HealthStatus.UNHEALTHY, message: `health answered ${String(health.status)}` };
    }
    const now = this.now();
    const tasks = (query: Parameters<Meilisearch['tasks']['getTasks']>[0]) =>
      this.client.tasks.getTasks({ indexUids: [this.indexUid], limit: 1, ...query });
    const [stats, pending, oldestPending, failed] = await Promise.all([
      this.client.getStats(),
      tasks({ statuses: ['enqueued', 'processing'] }),
      tasks({ statuses: ['enqueued'], reverse: true }),
      tasks({ statuses: ['failed'], afterFinishedAt: new Date(now - FAILED_TASK_WINDOW_MS).toISOString() }),
    ]);
    const oldest: Task | undefined = oldestPending.results[0];
    const lastFailure: Task | undefined = failed.results[0];
    const index = stats.indexes[this.indexUid];
    const findings: MeilisearchFindings = {
      index: this.indexUid,
      documents: index?.numberOfDocuments ?? null,
      pendingTasks: pending.total,
      oldestPendingTaskAgeSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.enqueuedAt)) / 1000) : 0,
      failedTasks: failed.total,
      lastFailure: lastFailure && {
        uid: lastFailure.uid,
        type: lastFailure.type,
        code: lastFailure.error?.code,
        message: lastFailure.error?.message,
      },
    };
    return {
      ...meilisearchVerdict(findings),
      details: {
        index: findings.index,
        documents: findings.documents,
        is_indexing: index?.isIndexing ?? false,
        database_size_bytes: stats.databaseSize,
        pending_tasks: findings.pendingTasks,
        oldest_pending_task_age_seconds: Math.round(findings.oldestPendingTaskAgeSeconds),
        failed_tasks: findings.failedTasks,
        ...(findings.lastFailure ? { last_failed_task: findings.lastFailure } : {}),
      },
      data: { meilisearch: findings },
    };
  }
}
