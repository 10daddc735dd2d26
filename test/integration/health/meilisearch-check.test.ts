import assert from 'node:assert/strict';
import { runCheck } from '../../../services/health/src/checks/component-check.js';
import { MeilisearchCheck } from '../../../services/health/src/checks/meilisearch.check.js';
import { meilisearchClient, useMeilisearch } from '../../support/meilisearch.js';

describe('MeilisearchCheck against a real Meilisearch server', () => {
  const meili = useMeilisearch();

  it('reports its own index and task queue only, and degrades when one of its tasks failed', async function () {
    this.timeout(60_000);
    const client = meilisearchClient(meili);
    const uid = `${meili.indexPrefix}chunks`;
    await client.createIndex(`${meili.indexPrefix}other_chunks`).waitTask();
    await client
      .index(`${meili.indexPrefix}other_chunks`)
      .addDocuments([{ id: 'a' }, { id: 'b' }])
      .waitTask();
    const check = new MeilisearchCheck(client, uid);
    let { component } = await runCheck(check, 10_000);
    assert.equal(component.status, 'healthy', component.message);
    assert.equal(component.details?.documents, null, 'another installation’s index is not counted');

    await client.createIndex(uid, { primaryKey: 'id' }).waitTask();
    await client
      .index(uid)
      .addDocuments([{ id: 'one' }])
      .waitTask();
    // A write that fails: documents without the primary key.
    const failedTask = await client
      .index(uid)
      .addDocuments([{ name: 'no id' }])
      .waitTask();
    assert.equal(failedTask.status, 'failed');
    ({ component } = await runCheck(check, 10_000));
    assert.equal(component.status, 'degraded');
    assert.equal(component.details?.documents, 1);
    assert.equal(component.details?.failed_tasks, 1);
    assert.equal(component.details?.pending_tasks, 0);
    assert.match(component.message, new RegExp(`task ${failedTask.uid} documentAdditionOrUpdate`));
  });
});
