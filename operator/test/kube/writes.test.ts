import assert from 'node:assert/strict';
import { ownershipProblem } from '../../src/kube/apply.js';
import { statusMergePatch } from '../../src/kube/status-patch.js';
import { buildPolicyRules } from '../../src/rbac/rbac.js';
import { Resources, resourceForObject, resourcePath } from '../../src/kube/resources.js';

const owner = { name: 'docs', namespace: 'ns', uid: 'uid-1' };
const object = (metadata: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'docs-config', ...metadata },
});
const ourLabels = { 'app.kubernetes.io/instance': 'docs', 'app.kubernetes.io/managed-by': 'myragdb-operator' };

describe('operator writes', () => {
  it('ownership: own children and labelled orphans may be written; anything else is refused', () => {
    const controlledBy = (uid: string) => [
      { apiVersion: 'myragdb.io/v1alpha1', kind: 'MyRAGDB', name: 'docs', uid, controller: true },
    ];
    assert.equal(ownershipProblem(object({ ownerReferences: controlledBy('uid-1') }), owner), undefined);
    assert.equal(
      ownershipProblem(object({ labels: ourLabels }), owner),
      undefined,
      'an orphan left by Retain is adopted',
    );
    assert.match(
      ownershipProblem(object({ ownerReferences: controlledBy('uid-2') }), owner) ?? '',
      /controlled by MyRAGDB docs/,
    );
    assert.match(ownershipProblem(object({}), owner) ?? '', /created by someone else/);
    assert.match(
      ownershipProblem(object({ labels: { ...ourLabels, 'app.kubernetes.io/instance': 'other' } }), owner) ?? '',
      /created by someone else/,
    );
  });

  it('status merge patch removes vanished fields, components and nested fields, replaces arrays', () => {
    const patch = statusMergePatch(
      {
        phase: 'Ready',
        lastReindex: { requestId: 'a' },
        components: { postgres: { ready: true }, chroma: { ready: true } },
        keywordEngine: { serving: 'meilisearch', target: 'postgres', repositories: 2, repositoriesMoved: 2 },
        conditions: [],
      },
      {
        phase: 'Degraded',
        components: { postgres: { ready: false } },
        keywordEngine: { serving: 'postgres' },
        conditions: [],
      },
    );
    assert.deepEqual(patch, {
      phase: 'Degraded',
      lastReindex: null,
      components: { postgres: { ready: false }, chroma: null },
      keywordEngine: { serving: 'postgres', target: null, repositories: null, repositoriesMoved: null },
      conditions: [],
    });
  });

  it('paths and RBAC come from the same resource list', () => {
    assert.equal(resourcePath(Resources.Deployment, 'ns', 'x'), '/apis/apps/v1/namespaces/ns/deployments/x');
    assert.equal(resourcePath(Resources.Secret, 'ns'), '/api/v1/namespaces/ns/secrets');
    assert.equal(
      resourcePath(Resources.MyRAGDB, 'ns', 'x', 'status'),
      '/apis/myragdb.io/v1alpha1/namespaces/ns/myragdbs/x/status',
    );
    assert.throws(() => resourceForObject({ apiVersion: 'v1', kind: 'Node' }), /no RBAC-listed resource/);
    const rules = buildPolicyRules();
    const verbsFor = (resource: string) => rules.find((rule) => rule.resources.includes(resource))?.verbs;
    assert.deepEqual(verbsFor('myragdbs/status'), ['get', 'patch']);
    assert.deepEqual(verbsFor('secrets'), ['create', 'get', 'patch'], 'no list/watch of secrets');
    assert.deepEqual(verbsFor('leases'), ['create', 'get', 'update']);
    assert.ok(!rules.some((rule) => rule.verbs.includes('*' as never) || rule.resources.includes('*')));
  });
});
