import assert from 'node:assert/strict';
import {
  activitySeries,
  type ActivityRow,
  countSearch,
  emptyCounts,
  latencyQuantile,
  SEARCH_LATENCY_BOUNDS_MS,
  stepMinutesFor,
} from '../../src/activity/activity-series.js';

const minute = (iso: string) => new Date(iso);

function row(at: string, mode: string, durations: number[], failed = 0): ActivityRow {
  const counts = emptyCounts();
  durations.forEach((ms, index) => countSearch(counts, ms, index < failed ? 'failed' : 'ok'));
  return { minute: minute(at), mode, ...counts };
}

describe('search activity series', () => {
  it('counts a search into the first bucket whose bound it fits, slower ones into the overflow bucket', () => {
    const counts = emptyCounts();
    for (const ms of [1, 5, 5.1, 99, 100_000]) countSearch(counts, ms, 'ok');
    countSearch(counts, 30, 'degraded');
    countSearch(counts, 30, 'failed');
    assert.equal(counts.latencyBuckets.length, SEARCH_LATENCY_BOUNDS_MS.length + 1);
    assert.deepEqual(counts.latencyBuckets, [2, 1, 0, 2, 1, 0, 0, 0, 0, 0, 1]);
    assert.equal(counts.searches, 7);
    assert.equal(counts.degraded, 1);
    assert.equal(counts.failures, 1);
  });

  it('estimates a percentile as the bound of the bucket where it falls; none without searches', () => {
    assert.equal(latencyQuantile([0, 0, 0], 0.5), null);
    const buckets = emptyCounts().latencyBuckets;
    buckets[1] = 90; // <= 10 ms
    buckets[4] = 10; // <= 100 ms
    assert.equal(latencyQuantile(buckets, 0.5), 10);
    assert.equal(latencyQuantile(buckets, 0.9), 10);
    assert.equal(latencyQuantile(buckets, 0.95), 100);
    const slow = emptyCounts().latencyBuckets;
    slow[SEARCH_LATENCY_BOUNDS_MS.length] = 1;
    assert.equal(latencyQuantile(slow, 0.5), SEARCH_LATENCY_BOUNDS_MS.at(-1));
  });

  it('merges modes and minutes into steps, with quiet steps as zero, from the start of the range to its end', () => {
    const rows = [
      row('2026-12-04T10:01:00Z', 'hybrid', [8, 9]),
      row('2026-12-04T10:03:00Z', 'keyword', [3], 1),
      row('2026-12-04T10:06:00Z', 'hybrid', [400]),
      row('2026-12-04T09:00:00Z', 'hybrid', [1]), // before the range: left out
    ];
    const points = activitySeries(rows, minute('2026-12-04T10:00:00Z'), minute('2026-12-04T10:09:00Z'), 5);
    assert.deepEqual(
      points.map((point) => [point.at, point.searches, point.failures, point.p50Ms, point.p95Ms]),
      [
        ['2026-12-04T10:00:00.000Z', 3, 1, 10, 10],
        ['2026-12-04T10:05:00.000Z', 1, 0, 500, 500],
      ],
    );
    assert.equal(points[0]!.meanMs, Math.round(((8 + 9 + 3) / 3) * 10) / 10);
    const quiet = activitySeries([], minute('2026-12-04T10:00:00Z'), minute('2026-12-04T10:02:00Z'), 1);
    assert.deepEqual(
      quiet.map((point) => [point.searches, point.meanMs, point.p95Ms]),
      [
        [0, null, null],
        [0, null, null],
        [0, null, null],
      ],
    );
  });

  it('picks a step that keeps a chart at a few hundred points at most', () => {
    for (const hours of [1, 3, 24, 72, 168]) assert.ok((hours * 60) / stepMinutesFor(hours) <= 300, String(hours));
  });
});
