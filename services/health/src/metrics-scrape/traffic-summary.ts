import { Metrics } from '../../../core/src/metric-names.js';
import type { TrafficSummary } from '../evaluation/health-observations.js';
import type { Sample } from './prometheus-text.js';

/**
 * Turns two scrapes of the gateways' metrics into what the alerts need, as Prometheus would with
 * `histogram_quantile(0.95, increase(...))` and `increase(5xx) / increase(all)`: counters are cumulative per
 * instance, so each instance's increase is taken first (a restart, i.e. a counter going down, counts from zero)
 * and the increases are summed over instances. Like `increase()`, an instance needs two scrapes: one seen for the
 * first time contributes nothing yet (its counters hold its whole life, not the window). Probe and metrics routes
 * are left out: at low traffic the scraper's own calls would otherwise dominate the p95.
 */
export type InstanceSamples = ReadonlyMap<string, readonly Sample[]>;

const EXCLUDED_ROUTE = /^\/api\/v1\/(health|metrics)/;
const QUANTILE = 0.95;

const seriesKey = (sample: Sample) =>
  `${sample.name}{${Object.entries(sample.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** Per-series increase between two scrapes of one instance (a series new since the previous scrape counts fully). */
function increases(previous: readonly Sample[], current: readonly Sample[]): Sample[] {
  const before = new Map(previous.map((sample) => [seriesKey(sample), sample.value]));
  return current.map((sample) => {
    const old = before.get(seriesKey(sample));
    const delta = old === undefined || sample.value < old ? sample.value : sample.value - old;
    return { ...sample, value: delta };
  });
}

/** Prometheus' histogram_quantile over cumulative buckets (le → count), linear within a bucket. */
export function histogramQuantile(quantile: number, buckets: ReadonlyMap<number, number>): number | null {
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (sorted.length < 2 || total <= 0) return null;
  const rank = quantile * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer its lower bound, as Prometheus does.
      if (!Number.isFinite(bound)) return previousBound;
      const inBucket = count - previousCount;
      return inBucket <= 0 ? bound : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

function bucketsOf(samples: readonly Sample[], metric: string, include: (s: Sample) => boolean): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${metric}_bucket` || !include(sample)) continue;
    const bound = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + sample.value);
  }
  return buckets;
}

const toMs = (seconds: number | null) => (seconds === null ? null : seconds * 1000);

export function summarizeTraffic(previous: InstanceSamples | null, current: InstanceSamples): TrafficSummary {
  const window: Sample[] = [];
  for (const [instance, samples] of current) {
    const before = previous?.get(instance);
    if (before !== undefined) window.push(...increases(before, samples));
  }

  const isApiRoute = (sample: Sample) => !EXCLUDED_ROUTE.test(sample.labels.route ?? '');
  let requests = 0;
  let errors = 0;
  for (const sample of window) {
    if (sample.name !== Metrics.httpRequests.name || !isApiRoute(sample)) continue;
    requests += sample.value;
    if (Number(sample.labels.status) >= 500) errors += sample.value;
  }

  return {
    requests,
    apiLatencyP95Ms: toMs(histogramQuantile(QUANTILE, bucketsOf(window, Metrics.httpRequestDuration.name, isApiRoute))),
    searchLatencyP95Ms: toMs(
      histogramQuantile(
        QUANTILE,
        bucketsOf(window, Metrics.searchDuration.name, () => true),
      ),
    ),
    errorRatePercent: requests > 0 ? (errors / requests) * 100 : null,
  };
}
