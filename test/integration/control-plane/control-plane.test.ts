/**
 * Smoke suite for the test control plane: proves, against a real kube-apiserver, the API behaviours the operator
 * relies on (CRD validation and subresources, server-side apply, finalizers, garbage collection, controllers with
 * simulated pods, watch expiry).
 */
import { inspect } from 'node:util';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  Watch,
  loadYaml,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import {
  KWOK_NODE_NAME,
  createTestNamespace,
  deleteTestNamespace,
  requireComponents,
  useControlPlane,
  type ControlPlane,
} from '../../support/control-plane.js';

/** Poll `probe` until it returns a truthy value (which is returned) or time runs out. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${inspect(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The HTTP status of a failed client call. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
  assert.fail('expected the API call to fail');
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

describe('test control plane (real kube-apiserver)', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let ns: string;

  before(async function () {
    cp = await useControlPlane(this);
    kc = cp.kubeConfig;
  });

  beforeEach(async function () {
    ns = await createTestNamespace(kc, 'smoke');
  });

  afterEach(async function () {
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it('reports a current Kubernetes version', async function () {
    const info = await kc.makeApiClient(VersionApi).getCode();
    console.log(`      Kubernetes ${info.gitVersion} (${info.platform}, ${info.goVersion})`);
    assert.match(info.gitVersion, /^v1\.\d+\.\d+/);
    assert.ok(Number(info.minor.replace(/\D+$/, '')) >= 34, `expected >= 1.34, got ${info.gitVersion}`);
    assert.equal(info.gitVersion, cp.version);
  });

  describe('a CRD with status and scale subresources', function () {
    const group = `smoke${Date.now().toString(36)}.test.myragdb.io`;
    const crdName = `widgets.${group}`;
    const apiext = (): ApiextensionsV1Api => kc.makeApiClient(ApiextensionsV1Api);

    before(async function () {
      this.timeout(60_000);
      // loadYaml keeps `default`, `enum` and x-kubernetes-* keys that plain JSON would lose in the typed client.
      const crd = loadYaml<V1CustomResourceDefinition>(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${crdName}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
          labelSelectorPath: .status.selector
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [replicas]
              properties:
                replicas: { type: integer, minimum: 0, maximum: 10 }
                size: { type: string, enum: [small, large], default: small }
            status:
              type: object
              properties:
                replicas: { type: integer }
                selector: { type: string }
`);
      await apiext().createCustomResourceDefinition({ body: crd });
      await eventually('the CRD to be Established', async () => {
        const got = await apiext().readCustomResourceDefinition({ name: crdName });
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    });

    after(async function () {
      await apiext()
        .deleteCustomResourceDefinition({ name: crdName })
        .catch(() => {});
    });

    it('is Established, defaults and prunes fields, and rejects an invalid object with 422', async function () {
      const custom = kc.makeApiClient(CustomObjectsApi);
      const base = { group, version: 'v1', namespace: ns, plural: 'widgets' };
      const created = (await custom.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${group}/v1`,
          kind: 'Widget',
          metadata: { name: 'good' },
          spec: { replicas: 2, unknownField: 'pruned' },
        },
      })) as { spec: Record<string, unknown> };
      assert.deepEqual(created.spec, { replicas: 2, size: 'small' }, 'default applied and unknown field pruned');

      const code = await statusOf(
        custom.createNamespacedCustomObject({
          ...base,
          body: {
            apiVersion: `${group}/v1`,
            kind: 'Widget',
            metadata: { name: 'bad' },
            spec: { replicas: 99, size: 'huge' },
          },
        }),
      );
      assert.equal(code, 422);
    });

    it('serves the status and scale subresources', async function () {
      const custom = kc.makeApiClient(CustomObjectsApi);
      const base = { group, version: 'v1', namespace: ns, plural: 'widgets', name: 'scaled' };
      await custom.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${group}/v1`,
          kind: 'Widget',
          metadata: { name: 'scaled' },
          spec: { replicas: 1 },
          status: { replicas: 7 },
        },
      });
      const afterCreate = (await custom.getNamespacedCustomObject(base)) as { status?: unknown };
      assert.equal(afterCreate.status, undefined, 'status is ignored on the main resource');

      await custom.patchNamespacedCustomObjectStatus(
        { ...base, body: { status: { replicas: 1, selector: 'app=widget' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await custom.patchNamespacedCustomObjectScale(
        { ...base, body: { spec: { replicas: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const scale = (await custom.getNamespacedCustomObjectScale(base)) as {
        kind: string;
        spec: { replicas: number };
        status: { replicas: number; selector: string };
      };
      assert.equal(scale.kind, 'Scale');
      assert.equal(scale.spec.replicas, 3);
      assert.deepEqual(scale.status, { replicas: 1, selector: 'app=widget' });
    });
  });

  it('server-side apply records the field manager and rejects a conflicting apply with 409', async function () {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const cm = (value: string): V1ConfigMap => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: ns },
      data: { owned: value },
    });
    const applied = await objects.patch(
      cm('a'),
      undefined,
      undefined,
      'manager-a',
      false,
      PatchStrategy.ServerSideApply,
    );
    const entry = applied.metadata?.managedFields?.find((f) => f.manager === 'manager-a');
    assert.ok(entry, 'manager-a is recorded in managedFields');
    assert.equal(entry.operation, 'Apply');
    assert.ok(JSON.stringify(entry.fieldsV1).includes('f:owned'), 'manager-a owns data.owned');

    const code = await statusOf(
      objects.patch(cm('b'), undefined, undefined, 'manager-b', false, PatchStrategy.ServerSideApply),
    );
    assert.equal(code, 409);

    const forced = await objects.patch(cm('b'), undefined, undefined, 'manager-b', true, PatchStrategy.ServerSideApply);
    assert.equal(forced.data?.owned, 'b');
    assert.ok(forced.metadata?.managedFields?.some((f) => f.manager === 'manager-b' && f.operation === 'Apply'));
  });

  it('a finalizer holds deletion until it is removed', async function () {
    const core = kc.makeApiClient(CoreV1Api);
    const name = 'held';
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name, finalizers: ['test.myragdb.io/hold'] }, data: { a: '1' } },
    });
    await core.deleteNamespacedConfigMap({ name, namespace: ns });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = await core.readNamespacedConfigMap({ name, namespace: ns });
    assert.ok(held.metadata?.deletionTimestamp, 'deletionTimestamp is set while the finalizer is present');

    await core.patchNamespacedConfigMap(
      { name, namespace: ns, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await eventually('the ConfigMap to be gone', async () => {
      try {
        await core.readNamespacedConfigMap({ name, namespace: ns });
        return false;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    });
  });

  it('garbage-collects an owned object after its owner is deleted', async function () {
    requireComponents(this, cp, ['controllerManager']);
    this.timeout(90_000);
    const core = kc.makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns, propagationPolicy: 'Background' });
    await eventually(
      'the owned ConfigMap to be garbage-collected',
      async () => {
        try {
          await core.readNamespacedConfigMap({ name: 'owned', namespace: ns });
          return false;
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      },
      75_000,
    );
  });

  it('a Deployment gets a ReplicaSet and becomes available with simulated pods', async function () {
    requireComponents(this, cp, ['controllerManager', 'scheduler', 'kwok']);
    this.timeout(90_000);
    const apps = kc.makeApiClient(AppsV1Api);
    const labels = { app: 'smoke' };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'smoke' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'example.invalid/smoke:1' }] },
          },
        },
      },
    });
    const rs = await eventually('a ReplicaSet owned by the Deployment', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: ns });
      return list.items.find((r) => r.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment'));
    });
    assert.equal(rs.spec?.replicas, 2);
    const dep = await eventually(
      'the Deployment to be Available with 2 ready replicas',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'smoke', namespace: ns });
        const available = d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
        return available && d.status?.availableReplicas === 2 ? d : undefined;
      },
      75_000,
    );
    assert.equal(dep.status?.readyReplicas, 2);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns });
    assert.equal(pods.items.length, 2);
    for (const pod of pods.items) {
      assert.equal(pod.spec?.nodeName, KWOK_NODE_NAME, 'scheduled by kube-scheduler onto the kwok node');
      assert.equal(pod.status?.phase, 'Running');
    }
  });

  it('a Job runs to completion with simulated pods', async function () {
    requireComponents(this, cp, ['controllerManager', 'scheduler', 'kwok']);
    this.timeout(90_000);
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'smoke' },
        spec: {
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'example.invalid/job:1' }] },
          },
        },
      },
    });
    await eventually(
      'the Job to complete',
      async () => {
        const job = await batch.readNamespacedJob({ name: 'smoke', namespace: ns });
        return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
      },
      75_000,
    );
  });

  it('a watch resumed from an expired resourceVersion gets 410 Gone', async function () {
    this.timeout(60_000);
    // The fixture turns the watch cache off for PodTemplates only, so the watch below goes to etcd, where a
    // compaction expires old revisions at once. (Cached resources expire theirs when the watch cache window moves
    // on, which takes minutes; clients see the same 410 either way.)
    const core = kc.makeApiClient(CoreV1Api);
    const template = { spec: { containers: [{ name: 'c', image: 'example.invalid/c:1' }] } };
    const created = await core.createNamespacedPodTemplate({
      namespace: ns,
      body: { metadata: { name: 'watched', labels: { n: '0' } }, template },
    });
    const staleRv = created.metadata!.resourceVersion!;
    for (let n = 1; n <= 3; n++) {
      await core.patchNamespacedPodTemplate(
        { name: 'watched', namespace: ns, body: { metadata: { labels: { n: String(n) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
    const path = `/api/v1/namespaces/${ns}/podtemplates`;
    const before = await watchOnce(kc, path, staleRv);
    assert.equal(before.code, 200, 'before compaction the old resourceVersion is still served');

    // Compact etcd up to its current revision, as the API server's periodic compaction would.
    const revision = await compactEtcd(cp.etcdEndpoint);
    assert.ok(revision > Number(staleRv));

    const result = await watchOnce(kc, path, staleRv);
    console.log(
      `      watch from resourceVersion ${staleRv} after compaction at ${revision}: ${result.how} ${result.code}`,
    );
    assert.equal(result.code, 410);
  });
});

/** Compact etcd at its current revision through its JSON gateway; returns the revision. */
async function compactEtcd(endpoint: string): Promise<number> {
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, `etcd ${path}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  // A range request over the empty key returns the store's current revision in its header.
  const status = await post('/v3/kv/range', { key: Buffer.from('\0').toString('base64') });
  const revision = Number((status.header as { revision: string }).revision);
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

interface WatchOutcome {
  code: number;
  how: 'HTTP status' | 'ERROR event' | 'events';
}

/** Start a watch from `resourceVersion` and report how the server answered. */
async function watchOnce(kc: KubeConfig, path: string, resourceVersion: string): Promise<WatchOutcome> {
  return new Promise<WatchOutcome>((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    const settle = (outcome: WatchOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ code: 200, how: 'events' }), 3000);
    new Watch(kc)
      .watch(
        path,
        { resourceVersion, allowWatchBookmarks: false },
        (type, obj: { code?: number }) => {
          if (type === 'ERROR') settle({ code: obj.code ?? 0, how: 'ERROR event' });
          else settle({ code: 200, how: 'events' });
        },
        (err: { statusCode?: number } | null) => {
          if (err?.statusCode) settle({ code: err.statusCode, how: 'HTTP status' });
          else settle({ code: 200, how: 'events' });
        },
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      .catch(reject);
  });
}
