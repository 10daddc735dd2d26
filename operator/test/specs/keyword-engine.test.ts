import assert from 'node:assert/strict';
import type { V1Container, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { buildConfigData } from '../../src/specs/config.specs.js';
import { buildDesiredState } from '../../src/specs/desired-state.js';
import {
  keywordEngines,
  keywordEngineWaiting,
  nextKeywordEngineStatus,
  repositoriesToMove,
} from '../../src/specs/keyword-engine.js';
import { contextFor } from './fixtures.js';

const names = (objects: KubeObject[]) => objects.map((object) => `${object.kind}/${object.metadata.name}`);
const containerEnv = (objects: KubeObject[], name: string): V1EnvVar[] => {
  const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === name) as
    (V1Deployment & KubeObject) | undefined;
  assert.ok(deployment, `Deployment/${name}`);
  return (deployment.spec!.template.spec!.containers[0] as V1Container).env ?? [];
};
const keywordEnv = (env: V1EnvVar[]) => env.find((variable) => variable.name === 'KEYWORD_ENGINE')?.value;

describe('operator specs: switching the keyword engine', () => {
  const postgresNow = { serving: 'postgres' } as const;
  const stores = (...entries: [string, string | null][]) => ({
    repositories: entries.map(([name, keywordStore]) => ({ name, keywordStore })),
  });

  it('keeps searches on the engine that holds the documents until every repository is in the new one', () => {
    const engines = keywordEngines('postgres', { serving: 'meilisearch' });
    assert.deepEqual(engines, { serving: 'meilisearch', indexing: 'postgres' });
    const catalog = stores(
      ['app', 'postgres/bm25-v2'],
      ['docs', 'meilisearch/v2/myragdb_chunks@m:7700'],
      ['new', null],
    );
    assert.deepEqual(repositoriesToMove(engines, catalog), ['docs', 'new']);
    const during = nextKeywordEngineStatus(engines, catalog);
    assert.deepEqual(during, {
      serving: 'meilisearch',
      target: 'postgres',
      repositories: 3,
      repositoriesMoved: 1,
    });
    assert.deepEqual(keywordEngineWaiting(during), [
      'keyword engine meilisearch -> postgres: 1 of 3 repositories moved',
    ]);
    assert.deepEqual(nextKeywordEngineStatus(engines, undefined), { serving: 'meilisearch', target: 'postgres' });
    const moved = stores(['app', 'postgres/bm25-v2'], ['docs', 'postgres/bm25-v2'], ['new', 'postgres/bm25-v2']);
    assert.deepEqual(nextKeywordEngineStatus(engines, moved), { serving: 'postgres' });
    assert.deepEqual(nextKeywordEngineStatus(engines, stores()), { serving: 'postgres' }, 'nothing to move');
    assert.deepEqual(keywordEngineWaiting({ serving: 'postgres' }), []);
  });

  it('a new instance (or one from before switching existed) serves what its spec says at once', () => {
    assert.deepEqual(keywordEngines('postgres', undefined), { serving: 'postgres', indexing: 'postgres' });
    assert.deepEqual(nextKeywordEngineStatus(keywordEngines('meilisearch', undefined), undefined), {
      serving: 'meilisearch',
    });
  });

  it('during a switch: the gateway config keeps the old engine, the indexer writes the new one, both stores run', () => {
    const objects = buildDesiredState(
      contextFor({ keywordEngine: 'postgres' }, { keywordEngine: { serving: 'meilisearch' } }),
    );
    const config = buildConfigData(
      contextFor({ keywordEngine: 'postgres' }, { keywordEngine: { serving: 'meilisearch' } }),
    );
    assert.equal(config.KEYWORD_ENGINE, 'meilisearch');
    assert.equal(config.MEILI_URL, 'http://docs-meilisearch:7700');
    assert.equal(keywordEnv(containerEnv(objects, 'docs-indexer')), 'postgres');
    assert.equal(keywordEnv(containerEnv(objects, 'docs-search-gateway')), undefined, 'from the ConfigMap');
    assert.ok(names(objects).includes('StatefulSet/docs-meilisearch'));
  });

  it('on PostgreSQL alone no Meilisearch runs and nothing points at one', () => {
    const context = contextFor({ keywordEngine: 'postgres' }, { keywordEngine: postgresNow });
    const objects = buildDesiredState(context);
    assert.ok(!names(objects).some((name) => name.includes('meilisearch') && !name.startsWith('Secret/')));
    const config = buildConfigData(context);
    assert.equal(config.KEYWORD_ENGINE, 'postgres');
    assert.equal(config.MEILI_URL, undefined);
    assert.equal(keywordEnv(containerEnv(objects, 'docs-indexer')), undefined);
  });

  it('switching back to Meilisearch starts it first, and searches stay on PostgreSQL meanwhile', () => {
    const context = contextFor({ keywordEngine: 'meilisearch' }, { keywordEngine: postgresNow });
    const objects = buildDesiredState(context);
    assert.ok(names(objects).includes('StatefulSet/docs-meilisearch'));
    assert.equal(buildConfigData(context).KEYWORD_ENGINE, 'postgres');
    assert.equal(keywordEnv(containerEnv(objects, 'docs-indexer')), 'meilisearch');
  });
});
