/**
 * MyRAGDB status as GitOps tools read it: the kstatus library itself (sigs.k8s.io/cli-utils v0.37.2, through
 * test/kstatus) computes InProgress / Current / Failed / Terminating from real objects read back from the API server.
 */
import assert from 'node:assert/strict';
import type { MyRAGDB } from '../../../operator/src/api/v1alpha1/myragdb.types.js';
import { ConditionReason } from '../../../operator/src/api/v1alpha1/conditions.js';
import { Resources, resourcePath } from '../../../operator/src/kube/resources.js';
import type { RunningOperator } from '../../../operator/src/main.js';
import { kstatus, kstatusCheckPath, type KstatusVerdict } from '../../support/kstatus.js';
import { applyMyRAGDB, createVolumes, eventually, getMyRAGDB, operatorSuite, runOperator } from './operator-harness.js';

describe('operator status under kstatus (Flux / Argo CD conventions)', function () {
  this.timeout(180_000);
  const suite = operatorSuite();
  let ns: string;
  let operator: RunningOperator | undefined;
  const name = 'gitops';
  let spec: Record<string, unknown> = { stores: { postgres: { managed: {} } } };
  const apply = () => applyMyRAGDB(suite.client, ns, { metadata: { name }, spec });

  before(async () => {
    kstatusCheckPath();
    ns = await suite.namespace('kstatus');
    await createVolumes(suite.client, 3);
  });

  async function verdictOf(resource: MyRAGDB | undefined): Promise<KstatusVerdict> {
    assert.ok(resource, 'the MyRAGDB exists');
    return kstatus(resource);
  }

  async function waitForVerdict(status: string, what: string, timeoutMs = 120_000): Promise<KstatusVerdict> {
    return eventually(
      async () => {
        const verdict = await verdictOf(await getMyRAGDB(suite.client, ns, name));
        return verdict.status === status ? verdict : undefined;
      },
      `kstatus ${status} (${what})`,
      timeoutMs,
    );
  }

  it('InProgress before the operator saw it and while the components come up, then Current once Ready', async () => {
    const created = await apply();
    // Before any operator looked at it: the CRD's status default makes the generation visibly unobserved.
    const unseen = await verdictOf(await getMyRAGDB(suite.client, ns, name));
    assert.equal(unseen.status, 'InProgress');
    assert.equal(
      unseen.message,
      `MyRAGDB generation is ${created.metadata.generation}, but latest observed generation is 0`,
    );
    operator = suite.track(await runOperator(suite.cp.kubeConfig, ns));
    const inProgress = await waitForVerdict('InProgress', 'components not ready yet');
    assert.ok(
      inProgress.conditions.some((entry) => entry.type === 'Reconciling' && entry.status === 'True'),
      JSON.stringify(inProgress),
    );
    const current = await waitForVerdict('Current', 'all components ready');
    assert.equal(current.message, 'Resource is Ready');
    const resource = await getMyRAGDB(suite.client, ns, name);
    assert.equal(resource?.status?.observedGeneration, resource?.metadata.generation);
  });

  it('a spec edit the operator has not observed yet is InProgress (observedGeneration lags)', async () => {
    await operator!.stop();
    spec = { ...spec, indexer: { syncInterval: '10m' } };
    const edited = await apply();
    const verdict = await verdictOf(await getMyRAGDB(suite.client, ns, name));
    assert.equal(verdict.status, 'InProgress');
    assert.equal(
      verdict.message,
      `MyRAGDB generation is ${edited.metadata.generation}, but latest observed generation is ${edited.metadata.generation! - 1}`,
    );
    operator = suite.track(await runOperator(suite.cp.kubeConfig, ns));
    await waitForVerdict('Current', 'the edit reconciled');
  });

  it('a spec the operator cannot use is Failed (Stalled) with the reason, and Current again once fixed', async () => {
    spec = { ...spec, reindex: { schedule: '61 * * * *' } };
    await apply();
    const failed = await waitForVerdict('Failed', 'invalid spec');
    assert.match(failed.message, /spec\.reindex\.schedule: invalid cron schedule: minute must be within 0-59/);
    assert.equal(failed.conditions[0]?.type, 'Stalled');
    assert.equal(failed.conditions[0]?.reason, ConditionReason.InvalidSpec);
    spec = { ...spec, reindex: { schedule: '0 3 * * *' } };
    await apply();
    await waitForVerdict('Current', 'the fix reconciled');
  });

  it('Terminating while the finalizer carries out the deletion policy', async () => {
    await operator!.stop();
    await suite.client.delete(resourcePath(Resources.MyRAGDB, ns, name));
    const verdict = await verdictOf(await getMyRAGDB(suite.client, ns, name));
    assert.equal(verdict.status, 'Terminating');
    operator = suite.track(await runOperator(suite.cp.kubeConfig, ns));
    await eventually(async () => !(await getMyRAGDB(suite.client, ns, name)), 'the MyRAGDB released');
  });
});
