import assert from 'node:assert/strict';
import { cacheKey, type CachingInformer, InformerChildCache, LIVE_READS } from '../../src/kube/child-cache.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { Resources } from '../../src/kube/resources.js';

const INSTANCE_LABEL = 'myragdb.io/instance';

function object(namespace: string, name: string, instance: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace, name, labels: { [INSTANCE_LABEL]: instance } },
  };
}

function informer(objects: KubeObject[], hasSynced = true): CachingInformer {
  return {
    hasSynced,
    list: () => objects,
    get: (name, namespace) =>
      objects.find((candidate) => candidate.metadata.name === name && candidate.metadata.namespace === namespace),
  };
}

describe('InformerChildCache', () => {
  const objects = [object('a', 'one-gateway', 'one'), object('a', 'two-gateway', 'two'), object('b', 'one-x', 'one')];

  it("lists an instance's children of a cached kind, in its namespace only", () => {
    const cache = new InformerChildCache(
      new Map([[cacheKey(Resources.Deployment), informer(objects)]]),
      INSTANCE_LABEL,
    );
    assert.deepEqual(
      cache.listByInstance(Resources.Deployment, 'a', 'one')?.map((child) => child.metadata.name),
      ['one-gateway'],
    );
    assert.deepEqual(cache.listByInstance(Resources.Deployment, 'a', 'three'), []);
    assert.equal(cache.find(Resources.Deployment, 'a', 'two-gateway')?.metadata.name, 'two-gateway');
  });

  it('says nothing (read live) for a kind without an informer, before the first list, or for an unknown object', () => {
    const cache = new InformerChildCache(
      new Map([
        [cacheKey(Resources.Deployment), informer(objects, false)],
        [cacheKey(Resources.Service), informer([])],
      ]),
      INSTANCE_LABEL,
    );
    assert.equal(cache.listByInstance(Resources.Deployment, 'a', 'one'), undefined);
    assert.equal(cache.find(Resources.Deployment, 'a', 'one-gateway'), undefined);
    assert.equal(cache.listByInstance(Resources.StatefulSet, 'a', 'one'), undefined);
    assert.equal(cache.find(Resources.Service, 'a', 'one-gateway'), undefined);
    assert.equal(LIVE_READS.listByInstance(Resources.Deployment, 'a', 'one'), undefined);
  });

  it('keys kinds by group and plural, so core and other groups do not collide', () => {
    assert.notEqual(cacheKey(Resources.Deployment), cacheKey(Resources.Service));
    assert.equal(cacheKey(Resources.Service), '/services');
  });
});
