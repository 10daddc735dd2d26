/**
 * Availability of the operator itself, against a real API server: a crash in the middle of a reconcile, and two
 * replicas where only the Lease holder may act.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { ConditionType } from '../../../operator/src/api/v1alpha1/conditions.js';
import { Resources, resourcePath } from '../../../operator/src/kube/resources.js';
import type { RunningOperator } from '../../../operator/src/main.js';
import {
  applyMyRAGDB,
  createVolumes,
  eventually,
  listChildren,
  runOperator,
  spawnOperatorProcess,
  waitForCondition,
  operatorSuite,
  startGatewayApi,
  type GatewayApi,
} from './operator-harness.js';

const instance = (name: string) => `app.kubernetes.io/instance=${name}`;

interface Lease {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

describe('operator availability (real API server)', function () {
  // Each scenario waits on real controllers (rollouts, Jobs, garbage collection).
  this.timeout(180_000);
  const suite = operatorSuite();
  let gateway: GatewayApi;
  before(async () => (gateway = await startGatewayApi()));
  after(() => gateway.close());

  const lease = (ns: string) => suite.client.find<Lease>(resourcePath(Resources.Lease, ns, 'myragdb-operator'));

  it('killed mid-reconcile and restarted, the operator converges without duplicates or new credentials', async function () {
    this.timeout(180_000);
    const { cp, client } = suite;
    const ns = await suite.namespace('crash');
    await createVolumes(client, 3);
    const first = suite.track(spawnOperatorProcess(cp.kubeconfigPath, ns, gateway.url));
    await eventually(async () => (await lease(ns))?.spec?.holderIdentity, 'the first operator to lead');
    await applyMyRAGDB(client, ns, {
      metadata: { name: 'crash' },
      spec: {
        reindex: { requestId: 'first' },
        repositories: [{ name: 'a', git: { url: 'https://git.example.com/a.git' } }],
      },
    });
    // Kill it as soon as it has started writing children: the reconcile is cut off part-way.
    const secret = await eventually(
      () => client.find<{ data: Record<string, string> }>(resourcePath(Resources.Secret, ns, 'crash-app-credentials')),
      'the first child',
      60_000,
      20,
    );
    first.kill('SIGKILL');
    await once(first, 'exit');

    const second = suite.track(spawnOperatorProcess(cp.kubeconfigPath, ns, gateway.url));
    await waitForCondition(client, ns, 'crash', ConditionType.Ready, 'True', 150_000);
    await waitForCondition(client, ns, 'crash', ConditionType.ReindexSucceeded, 'True', 60_000);
    assert.equal((await listChildren(client, 'Deployment', ns, instance('crash'))).length, 3);
    assert.equal((await listChildren(client, 'StatefulSet', ns, instance('crash'))).length, 3);
    await eventually(async () => gateway.repositories.has('a'), 'the repository registered');
    assert.deepEqual([...gateway.repositories.keys()], ['a']);
    assert.equal((await listChildren(client, 'Job', ns, 'myragdb.io/reindex-request-id=first')).length, 1);
    const after = await client.get<{ data: Record<string, string> }>(
      resourcePath(Resources.Secret, ns, 'crash-app-credentials'),
    );
    assert.deepEqual(after.data, secret.data, 'the restarted operator must reuse, not regenerate, credentials');
    const taken = await lease(ns);
    assert.ok((taken?.spec?.leaseTransitions ?? 0) >= 1, 'the second operator took the lease over after it expired');

    second.kill('SIGTERM');
    const [code] = (await once(second, 'exit')) as [number | null];
    assert.equal(code, 0, 'SIGTERM is a clean shutdown');
    assert.equal((await lease(ns))?.spec?.holderIdentity, undefined, 'a clean shutdown releases the lease');
  });

  it('with two replicas only the leader reconciles; when it stops, the standby takes over', async function () {
    this.timeout(180_000);
    const { cp, client } = suite;
    const ns = await suite.namespace('ha');
    await createVolumes(client, 3);
    const replicas = [
      suite.track(await runOperator(cp.kubeConfig, ns)),
      suite.track(await runOperator(cp.kubeConfig, ns)),
    ];
    await eventually(async () => replicas.some((replica) => replica.isLeader()), 'a leader');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(replicas.filter((replica) => replica.isLeader()).length, 1, 'exactly one leader');
    const leader = replicas.find((replica) => replica.isLeader())!;
    const standby = replicas.find((replica) => !replica.isLeader())!;

    await applyMyRAGDB(client, ns, { metadata: { name: 'ha' }, spec: {} });
    await waitForCondition(client, ns, 'ha', ConditionType.Ready, 'True', 120_000);
    const reconciles = async (replica: RunningOperator) => {
      const text = await replica.metrics.registry.getSingleMetricAsString('controller_runtime_reconcile_total');
      return [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    assert.ok((await reconciles(leader)) > 0);
    assert.equal(await reconciles(standby), 0, 'the standby reconciled');
    assert.equal(standby.manager(), undefined);

    await leader.stop();
    await eventually(async () => standby.isLeader(), 'the standby to take over', 30_000);
    await applyMyRAGDB(client, ns, { metadata: { name: 'ha' }, spec: { version: '0.5.0' } });
    await eventually(async () => {
      const gateway = await client.get<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
        resourcePath(Resources.Deployment, ns, 'ha-search-gateway'),
      );
      return gateway.spec.template.spec.containers[0]!.image.endsWith(':0.5.0');
    }, 'the new leader to apply the edit');
    assert.ok((await reconciles(standby)) > 0);
  });
});
