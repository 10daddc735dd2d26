import assert from 'node:assert/strict';
import { ConditionReason, ConditionType, Phase } from '../../src/api/v1alpha1/conditions.js';
import {
  computeStatus,
  deploymentStatus,
  findCondition,
  reindexOutcome,
  setCondition,
  statefulSetStatus,
  statusChanged,
  type StatusInput,
} from '../../src/controller/myragdb.status.js';
import { podFailures } from '../../src/controller/observe.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');
const ready = { ready: true, message: 'ok' };
const waiting = { ready: false, message: '0/1 ready' };

function input(overrides: Partial<StatusInput> = {}): StatusInput {
  return {
    generation: 3,
    previous: undefined,
    now: t0,
    paused: false,
    stores: { postgres: ready, meilisearch: ready, chroma: ready },
    services: { 'search-gateway': ready, indexer: ready, health: ready },
    problems: [],
    ...overrides,
  };
}
const condition = (status: ReturnType<typeof computeStatus>, type: string) => findCondition(status, type)!;

describe('operator status', () => {
  it('all components ready: Ready=True, phase Ready, observedGeneration follows', () => {
    const status = computeStatus(input());
    assert.equal(status.phase, Phase.Ready);
    assert.equal(status.observedGeneration, 3);
    assert.equal(condition(status, ConditionType.Ready).status, 'True');
    assert.equal(condition(status, ConditionType.Ready).reason, ConditionReason.AllComponentsReady);
    assert.equal(condition(status, ConditionType.Progressing).status, 'False');
    assert.equal(condition(status, ConditionType.Degraded).status, 'False');
    assert.equal(condition(status, ConditionType.ReconciliationPaused).status, 'False');
    assert.equal(condition(status, ConditionType.Ready).observedGeneration, 3);
    assert.equal(condition(status, ConditionType.Ready).lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  it('a waiting store: StoresReady=False naming it, Progressing=True, phase Provisioning', () => {
    const status = computeStatus(input({ stores: { postgres: waiting, meilisearch: ready, chroma: ready } }));
    assert.equal(status.phase, Phase.Provisioning);
    assert.equal(condition(status, ConditionType.StoresReady).status, 'False');
    assert.match(condition(status, ConditionType.StoresReady).message, /postgres \(0\/1 ready\)/);
    assert.equal(condition(status, ConditionType.Progressing).status, 'True');
    assert.equal(condition(status, ConditionType.Ready).status, 'False');
  });

  it('problems make it Degraded with the first reason and every message', () => {
    const status = computeStatus(
      input({
        problems: [
          { reason: ConditionReason.SecretNotFound, message: 'Secret pg (stores.postgres.external) not found' },
          { reason: ConditionReason.ComponentFailed, message: 'indexer: pod x: ImagePullBackOff' },
        ],
      }),
    );
    assert.equal(status.phase, Phase.Degraded);
    const degraded = condition(status, ConditionType.Degraded);
    assert.equal(degraded.status, 'True');
    assert.equal(degraded.reason, ConditionReason.SecretNotFound);
    assert.match(degraded.message, /Secret pg .* not found; indexer: pod x: ImagePullBackOff/);
    assert.equal(condition(status, ConditionType.Ready).status, 'False');
  });

  it('paused: phase Paused, ReconciliationPaused=True, not Ready', () => {
    const status = computeStatus(input({ paused: true }));
    assert.equal(status.phase, Phase.Paused);
    assert.equal(condition(status, ConditionType.ReconciliationPaused).status, 'True');
    assert.equal(condition(status, ConditionType.Ready).reason, ConditionReason.Paused);
  });

  it('kstatus conditions: Reconciling while converging, Stalled on a blocking problem, both False when Ready', () => {
    const converging = computeStatus(input({ stores: { postgres: waiting } }));
    assert.equal(condition(converging, ConditionType.Reconciling).status, 'True');
    assert.equal(condition(converging, ConditionType.Stalled).status, 'False');
    // A problem that may clear by itself (a pod pulling its image) is Degraded but still reconciling.
    const transient = computeStatus(
      input({ problems: [{ reason: ConditionReason.ComponentFailed, message: 'indexer: pod x: ImagePullBackOff' }] }),
    );
    assert.equal(condition(transient, ConditionType.Reconciling).status, 'True');
    assert.equal(condition(transient, ConditionType.Stalled).status, 'False');
    const blocked = computeStatus(
      input({
        problems: [
          { reason: ConditionReason.ComponentFailed, message: 'indexer: pod x: ImagePullBackOff' },
          { reason: ConditionReason.InvalidSpec, message: 'spec.version: bad', permanent: true },
        ],
      }),
    );
    assert.equal(condition(blocked, ConditionType.Stalled).status, 'True');
    assert.equal(condition(blocked, ConditionType.Stalled).reason, ConditionReason.InvalidSpec);
    assert.equal(condition(blocked, ConditionType.Stalled).message, 'spec.version: bad');
    assert.equal(condition(blocked, ConditionType.Reconciling).status, 'False');
    const done = computeStatus(input());
    assert.equal(condition(done, ConditionType.Reconciling).status, 'False');
    assert.equal(condition(done, ConditionType.Stalled).status, 'False');
    const paused = computeStatus(input({ paused: true }));
    assert.equal(condition(paused, ConditionType.Reconciling).reason, ConditionReason.Paused);
  });

  it('lastTransitionTime moves only when a condition flips', () => {
    const first = computeStatus(input({ stores: { postgres: waiting } }));
    const same = computeStatus(
      input({ previous: first, now: t1, stores: { postgres: { ready: false, message: 'still waiting' } } }),
    );
    assert.equal(condition(same, ConditionType.Ready).lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.match(condition(same, ConditionType.StoresReady).message, /still waiting/);
    const flipped = computeStatus(input({ previous: same, now: t1 }));
    assert.equal(condition(flipped, ConditionType.Ready).lastTransitionTime, '2026-01-01T00:05:00Z');
    assert.equal(condition(flipped, ConditionType.Degraded).lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  it('setCondition appends new types and replaces existing ones in place', () => {
    const one = setCondition([], { type: 'A', status: 'True', reason: 'R', message: 'm' }, t0);
    const two = setCondition(one, { type: 'B', status: 'False', reason: 'R', message: 'm' }, t0);
    const replaced = setCondition(two, { type: 'A', status: 'False', reason: 'S', message: 'n' }, t1);
    assert.deepEqual(
      replaced.map((entry) => [entry.type, entry.status, entry.lastTransitionTime]),
      [
        ['A', 'False', '2026-01-01T00:05:00Z'],
        ['B', 'False', '2026-01-01T00:00:00Z'],
      ],
    );
  });

  it('reindex outcome from the Job, kept after the Job is gone', () => {
    const job = (conditions: { type: string; status: string }[]) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'docs-reindex-abc' },
      status: { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:01:00Z', conditions },
    });
    assert.equal(reindexOutcome('r1', undefined, undefined).result, 'Running');
    assert.equal(reindexOutcome('r1', job([]), undefined).result, 'Running');
    const succeeded = reindexOutcome('r1', job([{ type: 'Complete', status: 'True' }]), undefined);
    assert.deepEqual(succeeded, {
      requestId: 'r1',
      job: 'docs-reindex-abc',
      startTime: '2026-01-01T00:00:00Z',
      completionTime: '2026-01-01T00:01:00Z',
      result: 'Succeeded',
    });
    assert.equal(reindexOutcome('r1', job([{ type: 'Failed', status: 'True' }]), undefined).result, 'Failed');
    assert.deepEqual(reindexOutcome('r1', undefined, succeeded), succeeded);
    const status = computeStatus(input({ lastReindex: succeeded }));
    assert.equal(condition(status, ConditionType.ReindexSucceeded).status, 'True');
    const failed = computeStatus(input({ lastReindex: { requestId: 'r2', result: 'Failed' } }));
    assert.equal(condition(failed, ConditionType.ReindexSucceeded).reason, ConditionReason.ReindexFailed);
  });

  it('workload readiness needs the current generation fully rolled out', () => {
    const deployment = (generation: number, status: Record<string, unknown>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', generation },
      spec: { replicas: 2 },
      status,
    });
    assert.equal(deploymentStatus(undefined).ready, false);
    assert.equal(
      deploymentStatus(deployment(2, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, replicas: 2 }))
        .ready,
      true,
    );
    assert.equal(
      deploymentStatus(deployment(3, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 })).ready,
      false,
    );
    assert.equal(
      deploymentStatus(deployment(2, { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 2 })).ready,
      false,
    );
    const stalled = deploymentStatus(
      deployment(2, {
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' }],
      }),
    );
    assert.match(stalled.message ?? '', /rollout stalled: too slow/);
    const set = (readyReplicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's', generation: 1 },
      spec: { replicas: 1 },
      status: { observedGeneration: 1, readyReplicas, updatedReplicas: 1 },
    });
    assert.equal(statefulSetStatus(set(1)).ready, true);
    assert.equal(statefulSetStatus(set(0)).ready, false);
  });

  it('pods stuck on a bad image or a missing secret are reported per component', () => {
    const pod = (reason: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { 'app.kubernetes.io/component': 'indexer' } },
      status: { containerStatuses: [{ name: 'indexer', state: { waiting: { reason, message: 'details' } } }] },
    });
    assert.deepEqual(podFailures([pod('ImagePullBackOff')]), [
      { component: 'indexer', message: 'pod p: ImagePullBackOff (details)' },
    ]);
    assert.deepEqual(podFailures([pod('ContainerCreating')]), []);
  });

  it('statusChanged ignores key order but not values', () => {
    const status = computeStatus(input());
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(status).reverse())));
    assert.equal(statusChanged(status, reordered), false);
    assert.equal(statusChanged(status, { ...status, phase: Phase.Degraded }), true);
  });
});
