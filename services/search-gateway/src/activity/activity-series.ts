/**
 * Search activity as the web UI charts it (pure): per-minute counts with a latency histogram, merged into points of
 * a chosen step, with percentiles estimated from the histogram.
 */

/** Upper bounds (ms) of the latency histogram's buckets; one more bucket counts everything slower. */
export const SEARCH_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

export type SearchOutcome = 'ok' | 'degraded' | 'failed';

export interface ActivityCounts {
  searches: number;
  failures: number;
  degraded: number;
  totalMs: number;
  /** One count per SEARCH_LATENCY_BOUNDS_MS entry, plus the overflow bucket. */
  latencyBuckets: number[];
}

export interface ActivityRow extends ActivityCounts {
  minute: Date;
  mode: string;
}

export interface ActivityPoint {
  /** Start of the step. */
  at: string;
  searches: number;
  failures: number;
  degraded: number;
  meanMs: number | null;
  /** Upper bound of the histogram bucket holding the percentile (SEARCH_LATENCY_BOUNDS_MS), null without searches. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export function emptyCounts(): ActivityCounts {
  return {
    searches: 0,
    failures: 0,
    degraded: 0,
    totalMs: 0,
    latencyBuckets: SEARCH_LATENCY_BOUNDS_MS.map(() => 0).concat(0),
  };
}

/** Adds one search to `counts` (in place). */
export function countSearch(counts: ActivityCounts, durationMs: number, outcome: SearchOutcome): void {
  counts.searches += 1;
  if (outcome === 'failed') counts.failures += 1;
  if (outcome === 'degraded') counts.degraded += 1;
  counts.totalMs += durationMs;
  const bucket = SEARCH_LATENCY_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  counts.latencyBuckets[bucket === -1 ? SEARCH_LATENCY_BOUNDS_MS.length : bucket]! += 1;
}

export function addCounts(into: ActivityCounts, from: ActivityCounts): void {
  into.searches += from.searches;
  into.failures += from.failures;
  into.degraded += from.degraded;
  into.totalMs += from.totalMs;
  from.latencyBuckets.forEach(
    (count, index) => (into.latencyBuckets[index] = (into.latencyBuckets[index] ?? 0) + count),
  );
}

/** The bucket bound under which `quantile` of the searches finished; the slowest bound for the overflow bucket. */
export function latencyQuantile(buckets: readonly number[], quantile: number): number | null {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [index, count] of buckets.entries()) {
    seen += count;
    if (seen >= quantile * total) return SEARCH_LATENCY_BOUNDS_MS[index] ?? SEARCH_LATENCY_BOUNDS_MS.at(-1)!;
  }
  return SEARCH_LATENCY_BOUNDS_MS.at(-1)!;
}

/** Every step from `from` to `to` (empty steps included, so a chart shows quiet time as zero), all modes merged. */
export function activitySeries(
  rows: readonly ActivityRow[],
  from: Date,
  to: Date,
  stepMinutes: number,
): ActivityPoint[] {
  const stepMs = stepMinutes * 60_000;
  const first = Math.floor(from.getTime() / stepMs) * stepMs;
  const steps = new Map<number, ActivityCounts>();
  for (let at = first; at <= to.getTime(); at += stepMs) steps.set(at, emptyCounts());
  for (const row of rows) {
    const step = steps.get(Math.floor(row.minute.getTime() / stepMs) * stepMs);
    if (step) addCounts(step, row);
  }
  return [...steps].map(([at, counts]) => ({
    at: new Date(at).toISOString(),
    searches: counts.searches,
    failures: counts.failures,
    degraded: counts.degraded,
    meanMs: counts.searches ? Math.round((counts.totalMs / counts.searches) * 10) / 10 : null,
    p50Ms: latencyQuantile(counts.latencyBuckets, 0.5),
    p95Ms: latencyQuantile(counts.latencyBuckets, 0.95),
  }));
}

/** A step that keeps a chart of `hours` at about 60–300 points. */
export function stepMinutesFor(hours: number): number {
  if (hours <= 3) return 1;
  if (hours <= 24) return 5;
  if (hours <= 72) return 15;
  return 60;
}
