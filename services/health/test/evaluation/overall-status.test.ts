import assert from 'node:assert/strict';
import type { ComponentHealth, ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import { deriveOverallStatus } from '../../src/evaluation/overall-status.js';

const component = (name: string, kind: ComponentKind, status: HealthStatus): ComponentHealth => ({
  name,
  kind,
  status,
  message: `${name} ${status}`,
  latency_ms: 1,
  checked_at: '2026-01-01T00:00:00.000Z',
});

const allUp = (): ComponentHealth[] => [
  component('postgres', 'postgres', 'healthy'),
  component('meilisearch', 'keyword-store', 'healthy'),
  component('chroma', 'vector-store', 'healthy'),
  component('search-gateway/a', 'search-gateway', 'healthy'),
  component('search-gateway/b', 'search-gateway', 'healthy'),
  component('indexer/a', 'indexer', 'healthy'),
  component('indexing-queue', 'indexing-queue', 'healthy'),
];

const replace = (list: ComponentHealth[], name: string, status: HealthStatus) =>
  list.map((c) => (c.name === name ? { ...c, status } : c));

describe('deriveOverallStatus', () => {
  it('is healthy when every component is', () => {
    assert.deepEqual(deriveOverallStatus(allUp()), { status: 'healthy', reasons: [] });
  });

  it('is unhealthy when Postgres is down, naming it', () => {
    const verdict = deriveOverallStatus(replace(allUp(), 'postgres', 'unhealthy'));
    assert.equal(verdict.status, 'unhealthy');
    assert.match(verdict.reasons[0] ?? '', /postgres is down/);
  });

  it('is degraded when only the vector store or only the keyword store is down', () => {
    assert.equal(deriveOverallStatus(replace(allUp(), 'chroma', 'unhealthy')).status, 'degraded');
    assert.equal(deriveOverallStatus(replace(allUp(), 'meilisearch', 'unhealthy')).status, 'degraded');
  });

  it('is unhealthy when both search stores are down', () => {
    const list = replace(replace(allUp(), 'chroma', 'unhealthy'), 'meilisearch', 'unhealthy');
    assert.equal(deriveOverallStatus(list).status, 'unhealthy');
  });

  it('is degraded with one gateway of two down, unhealthy with none up', () => {
    const one = replace(allUp(), 'search-gateway/a', 'unhealthy');
    assert.equal(deriveOverallStatus(one).status, 'degraded');
    assert.equal(deriveOverallStatus(replace(one, 'search-gateway/b', 'unhealthy')).status, 'unhealthy');
  });

  it('is degraded when an indexer or the queue is down, or any component degraded', () => {
    assert.equal(deriveOverallStatus(replace(allUp(), 'indexer/a', 'unhealthy')).status, 'degraded');
    assert.equal(deriveOverallStatus(replace(allUp(), 'indexing-queue', 'unhealthy')).status, 'degraded');
    assert.equal(deriveOverallStatus(replace(allUp(), 'postgres', 'degraded')).status, 'degraded');
  });

  it('does not judge kinds that are not deployed (no Meilisearch configured)', () => {
    const withoutKeyword = allUp().filter((c) => c.kind !== 'keyword-store');
    assert.equal(deriveOverallStatus(replace(withoutKeyword, 'chroma', 'unhealthy')).status, 'degraded');
  });
});
