import assert from 'node:assert/strict';
import {
  evaluateAlerts,
  toReportAlert,
  type AlertRule,
  type AlertState,
} from '../../src/evaluation/alert-evaluator.js';

interface Obs {
  cpu: number;
  failing: string[];
}

const cpuRule: AlertRule<Obs> = {
  name: 'HighCpuUsage',
  severity: 'warning',
  forMs: 1000,
  keepFiringForMs: 0,
  conditions: (o) => (o.cpu > 80 ? [{ key: '', message: `cpu ${o.cpu}` }] : []),
};
const repoRule: AlertRule<Obs> = {
  name: 'RepositorySyncFailing',
  severity: 'warning',
  forMs: 0,
  keepFiringForMs: 0,
  conditions: (o) => o.failing.map((r) => ({ key: r, message: `${r} failing`, labels: { repository: r } })),
};

/** Feeds observations at the given times and returns each round's evaluation. */
function run<O>(rules: AlertRule<O>[], steps: [number, O][]) {
  let state: AlertState = new Map();
  return steps.map(([now, obs]) => {
    const result = evaluateAlerts(rules, obs, state, now);
    state = result.state;
    return result;
  });
}

describe('evaluateAlerts', () => {
  it('fires only after the condition held for the whole `for` duration', () => {
    const rounds = run(
      [cpuRule],
      [
        [0, { cpu: 95, failing: [] }],
        [500, { cpu: 95, failing: [] }],
        [1000, { cpu: 95, failing: [] }],
      ],
    );
    assert.deepEqual(
      rounds.map((r) => r.firing.length),
      [0, 0, 1],
    );
    assert.equal(rounds[2]?.fired[0]?.name, 'HighCpuUsage');
    assert.equal(toReportAlert(rounds[2].firing[0]!).since, new Date(0).toISOString());
  });

  it('does not fire on a flapping condition: a good sample restarts the `for` window', () => {
    const rounds = run(
      [cpuRule],
      [
        [0, { cpu: 95, failing: [] }],
        [600, { cpu: 10, failing: [] }],
        [900, { cpu: 95, failing: [] }],
        [1500, { cpu: 95, failing: [] }],
        [1900, { cpu: 95, failing: [] }],
      ],
    );
    assert.deepEqual(
      rounds.map((r) => r.firing.length),
      [0, 0, 0, 0, 1],
    );
  });

  it('resolves once the condition stops holding, reported once', () => {
    const rounds = run(
      [cpuRule],
      [
        [0, { cpu: 95, failing: [] }],
        [1000, { cpu: 95, failing: [] }],
        [2000, { cpu: 10, failing: [] }],
        [3000, { cpu: 10, failing: [] }],
      ],
    );
    assert.equal(rounds[1]?.fired.length, 1);
    assert.equal(rounds[2]?.resolved[0]?.name, 'HighCpuUsage');
    assert.equal(rounds[2]?.firing.length, 0);
    assert.equal(rounds[3]?.resolved.length, 0);
  });

  it('keeps firing through a short recovery when keepFiringForMs is set', () => {
    const sticky = { ...cpuRule, keepFiringForMs: 1500 };
    const rounds = run(
      [sticky],
      [
        [0, { cpu: 95, failing: [] }],
        [1000, { cpu: 95, failing: [] }],
        [2000, { cpu: 10, failing: [] }],
        [3000, { cpu: 10, failing: [] }],
      ],
    );
    assert.deepEqual(
      rounds.map((r) => r.firing.length),
      [0, 1, 1, 0],
    );
    assert.equal(rounds[3]?.resolved.length, 1);
  });

  it('tracks instances of one rule separately by key', () => {
    const rounds = run(
      [repoRule],
      [
        [0, { cpu: 0, failing: ['a', 'b'] }],
        [10, { cpu: 0, failing: ['b'] }],
      ],
    );
    assert.deepEqual(
      rounds[0]?.firing.map((a) => a.labels?.repository),
      ['a', 'b'],
    );
    assert.deepEqual(
      rounds[1]?.resolved.map((a) => a.key),
      ['a'],
    );
    assert.deepEqual(
      rounds[1]?.firing.map((a) => a.key),
      ['b'],
    );
    assert.equal(rounds[1]?.fired.length, 0, 'b was already firing');
  });
});
