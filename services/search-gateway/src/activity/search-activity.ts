import type { Logger } from '../../../core/src/logging.js';
import type { SqlQueryable } from '../../../core/src/ports/sql-database.js';
import {
  type ActivityCounts,
  type ActivityPoint,
  type ActivityRow,
  activitySeries,
  addCounts,
  countSearch,
  emptyCounts,
  type SearchOutcome,
  stepMinutesFor,
} from './activity-series.js';

export interface SearchActivitySettings {
  retentionDays: number;
  /** How often counts are added to the table. */
  flushIntervalMs: number;
}

interface ActivityTableRow {
  minute: Date | string;
  mode: string;
  searches: number;
  failures: number;
  degraded: number;
  total_ms: number;
  latency_buckets: number[];
}

const HOUR_MS = 3_600_000;

const pendingKey = (minute: Date, mode: string) => `${minute.getTime()}|${mode}`;

/**
 * Search volume, latency and failures per minute in the `search_activity` table. Searches are counted in memory
 * and added to the table every `flushIntervalMs` (one upsert per minute and mode), so a search costs no write;
 * every replica adds to the same rows. Rows past the retention are deleted once an hour.
 */
export class SearchActivity {
  private pending = new Map<string, { minute: Date; mode: string; counts: ActivityCounts }>();
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: SqlQueryable,
    private readonly logger: Logger,
    private readonly settings: SearchActivitySettings,
  ) {}

  record(mode: string, durationMs: number, outcome: SearchOutcome, at = new Date()): void {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    const key = pendingKey(minute, mode);
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { minute, mode, counts: emptyCounts() }));
    countSearch(entry.counts, durationMs, outcome);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.settings.flushIntervalMs).unref();
  }

  /** Adds the counts so far to the table; counts that fail to write are kept for the next flush. */
  async flush(now = new Date()): Promise<void> {
    await this.flushing;
    this.flushing = this.write(now);
    await this.flushing;
  }

  async read(hours: number, now = new Date()): Promise<{ stepMinutes: number; points: ActivityPoint[] }> {
    await this.flush(now);
    const from = new Date(now.getTime() - hours * HOUR_MS);
    const { rows } = await this.db.query<ActivityTableRow>(
      `SELECT minute, mode, searches, failures, degraded, total_ms, latency_buckets
         FROM search_activity WHERE minute >= $1 ORDER BY minute`,
      [from],
    );
    const activity: ActivityRow[] = rows.map((row) => ({
      minute: new Date(row.minute),
      mode: row.mode,
      searches: row.searches,
      failures: row.failures,
      degraded: row.degraded,
      totalMs: row.total_ms,
      latencyBuckets: row.latency_buckets,
    }));
    const stepMinutes = stepMinutesFor(hours);
    return { stepMinutes, points: activitySeries(activity, from, now, stepMinutes) };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(now: Date): Promise<void> {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const [index, { minute, mode, counts }] of entries.entries()) {
      try {
        await this.db.query(
          `INSERT INTO search_activity (minute, mode, searches, failures, degraded, total_ms, latency_buckets)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (minute, mode) DO UPDATE SET
             searches = search_activity.searches + EXCLUDED.searches,
             failures = search_activity.failures + EXCLUDED.failures,
             degraded = search_activity.degraded + EXCLUDED.degraded,
             total_ms = search_activity.total_ms + EXCLUDED.total_ms,
             latency_buckets = ARRAY(
               SELECT coalesce(a, 0) + coalesce(b, 0)
                 FROM unnest(search_activity.latency_buckets, EXCLUDED.latency_buckets) AS t(a, b))`,
          [minute, mode, counts.searches, counts.failures, counts.degraded, counts.totalMs, counts.latencyBuckets],
        );
      } catch (error) {
        // PostgreSQL is down (searches fail too then): keep this and the later counts for the next flush.
        for (const entry of entries.slice(index)) this.restore(entry);
        this.logger.warn('search activity not saved; retrying at the next flush', { error });
        return;
      }
    }
    if (now.getTime() - this.lastPrune >= HOUR_MS) {
      this.lastPrune = now.getTime();
      await this.db
        .query('DELETE FROM search_activity WHERE minute < $1', [
          new Date(now.getTime() - this.settings.retentionDays * 24 * HOUR_MS),
        ])
        .catch((error: unknown) => this.logger.warn('search activity retention sweep failed', { error }));
    }
  }

  private restore(entry: { minute: Date; mode: string; counts: ActivityCounts }): void {
    const key = pendingKey(entry.minute, entry.mode);
    const current = this.pending.get(key);
    if (!current) return void this.pending.set(key, entry);
    addCounts(current.counts, entry.counts);
  }
}
