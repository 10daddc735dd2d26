import assert from 'node:assert/strict';
import type { ComponentHealth } from '../../../core/src/domain/health-report.js';
import { evaluateAlerts, type AlertState } from '../../src/evaluation/alert-evaluator.js';
import { AlertName, buildAlertRules, DEFAULT_ALERT_THRESHOLDS } from '../../src/evaluation/alert-rules.js';
import { backlogGrowth, recordBacklog } from '../../src/evaluation/backlog-trend.js';
import type { HealthObservations } from '../../src/evaluation/health-observations.js';

const healthy: HealthObservations = {
  system: { cpu_percent: 10, memory_percent: 40, disk_percent: 50 },
  components: [],
  traffic: { requests: 100, apiLatencyP95Ms: 20, searchLatencyP95Ms: 30, errorRatePercent: 0 },
  queue: { backlog: 0, backlogGrowth: 0, stuckJobs: [], failingRepositories: [] },
};
const down = (name: string, kind: ComponentHealth['kind']): ComponentHealth => ({
  name,
  kind,
  status: 'unhealthy',
  message: 'connect ECONNREFUSED',
  latency_ms: 1,
  checked_at: '2026-01-01T00:00:00.000Z',
});

/** Alert names firing for `observations`, with every `for` already elapsed. */
function firing(observations: HealthObservations, thresholds = DEFAULT_ALERT_THRESHOLDS): string[] {
  const rules = buildAlertRules(thresholds);
  const first = evaluateAlerts(rules, observations, new Map() as AlertState, 0);
  return evaluateAlerts(rules, observations, first.state, 10 * 60_000).firing.map((a) => a.name);
}

describe('buildAlertRules (production-guide thresholds)', () => {
  it('fires nothing when everything is within bounds', () => {
    assert.deepEqual(firing(healthy), []);
  });

  it('uses the guide thresholds: > 1000 ms API, > 500 ms search, > 1 % errors, > 80/85/90 % CPU/memory/disk', () => {
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, apiLatencyP95Ms: 1000 } }), []);
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, apiLatencyP95Ms: 1001 } }), [
      AlertName.HIGH_API_LATENCY,
    ]);
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, searchLatencyP95Ms: 501 } }), [
      AlertName.SEARCH_LATENCY_HIGH,
    ]);
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, errorRatePercent: 1 } }), []);
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, errorRatePercent: 1.5 } }), [
      AlertName.HIGH_ERROR_RATE,
    ]);
    assert.deepEqual(firing({ ...healthy, system: { cpu_percent: 81, memory_percent: 86, disk_percent: 91 } }), [
      AlertName.HIGH_CPU_USAGE,
      AlertName.HIGH_MEMORY_USAGE,
      AlertName.HIGH_DISK_USAGE,
    ]);
    assert.deepEqual(firing({ ...healthy, system: { cpu_percent: 80, memory_percent: 85, disk_percent: 90 } }), []);
  });

  it('honours configured thresholds', () => {
    const strict = { ...DEFAULT_ALERT_THRESHOLDS, cpuPercent: 5 };
    assert.deepEqual(firing(healthy, strict), [AlertName.HIGH_CPU_USAGE]);
  });

  it('gives no traffic verdict without traffic data or with too few requests', () => {
    assert.deepEqual(firing({ ...healthy, traffic: null }), []);
    assert.deepEqual(firing({ ...healthy, traffic: { ...healthy.traffic!, requests: 5, errorRatePercent: 40 } }), []);
  });

  it('raises DatabaseUnavailable (critical), SearchStoreUnavailable and ServiceInstanceDown per component', () => {
    const rules = buildAlertRules(DEFAULT_ALERT_THRESHOLDS);
    const observations = {
      ...healthy,
      components: [down('postgres', 'postgres'), down('chroma', 'vector-store'), down('indexer/a', 'indexer')],
    };
    const first = evaluateAlerts(rules, observations, new Map(), 0);
    assert.deepEqual(first.firing, [], 'nothing before `for`');
    const critical = evaluateAlerts(rules, observations, first.state, DEFAULT_ALERT_THRESHOLDS.criticalForMs);
    assert.deepEqual(
      critical.firing.map((a) => [a.name, a.severity]),
      [[AlertName.DATABASE_UNAVAILABLE, 'critical']],
    );
    const later = evaluateAlerts(rules, observations, critical.state, DEFAULT_ALERT_THRESHOLDS.forMs);
    assert.deepEqual(
      later.firing.map((a) => a.name),
      [AlertName.DATABASE_UNAVAILABLE, AlertName.SEARCH_STORE_UNAVAILABLE, AlertName.SERVICE_INSTANCE_DOWN],
    );
  });

  it('raises the indexing alerts from the queue summary, one per stuck job and failing repository', () => {
    const queue = {
      backlog: 12,
      backlogGrowth: 4,
      stuckJobs: [{ id: 'j1', repository: 'api', idleMs: 1_200_000 }],
      failingRepositories: [
        { repository: 'docs', consecutiveFailures: 2, lastError: 'git fetch failed' },
        { repository: 'web', consecutiveFailures: 1, lastError: 'embedding_failed' },
      ],
    };
    assert.deepEqual(firing({ ...healthy, queue }), [
      AlertName.INDEXING_BACKLOG_GROWING,
      AlertName.INDEXING_STALLED,
      AlertName.REPOSITORY_SYNC_FAILING,
      AlertName.REPOSITORY_SYNC_FAILING,
    ]);
  });
});

describe('backlog trend', () => {
  it('measures growth against the oldest sample inside the window', () => {
    let history = recordBacklog([], { at: 0, backlog: 10 }, 1000);
    assert.equal(backlogGrowth(history), null, 'one sample: no trend yet');
    history = recordBacklog(history, { at: 500, backlog: 4 }, 1000);
    history = recordBacklog(history, { at: 900, backlog: 12 }, 1000);
    assert.equal(backlogGrowth(history), 2);
    history = recordBacklog(history, { at: 1400, backlog: 12 }, 1000);
    assert.equal(backlogGrowth(history), 8, 'the sample at 0 left the window; 4 at 500 is the base');
  });
});
