import assert from 'node:assert/strict';
import type { Chunk } from '../../../services/core/src/domain/chunk.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { PgliteSqlDatabase } from '../../../services/core/src/adapters/sql-database/pglite.sql-database.js';
import { PostgresKeywordIndex } from '../../../services/core/src/adapters/keyword-index/postgres.keyword-index.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { keywordIndexContract, testChunk } from '../../../services/core/src/testing/keyword-index.contract.js';
import { freePort } from '../../support/ports.js';
import { usePostgres } from '../../support/postgres.js';

for (const engine of ['server', 'pglite'] as const) {
  describe(`KeywordIndex contract: PostgreSQL full-text search (${engine === 'server' ? 'PostgreSQL' : 'PGlite'})`, function () {
    const pg = usePostgres({ engine, setup: (sql) => migrate(sql).then(() => undefined) });
    keywordIndexContract({
      open: async () => {
        await pg.sql.query('TRUNCATE keyword_chunks, keyword_files');
        const index = new PostgresKeywordIndex(pg.sql);
        await index.init();
        return index;
      },
      openUnreachable: async () => {
        if (engine === 'pglite') {
          const closed = await PgliteSqlDatabase.open();
          await closed.close();
          return new PostgresKeywordIndex(closed, { ownsDatabase: true });
        }
        const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
        return new PostgresKeywordIndex(new PgSqlDatabase({ url, poolSize: 1, connectionTimeoutMs: 2000 }), {
          ownsDatabase: true,
        });
      },
    });
  });
}

describe('PostgreSQL full-text keyword index: fallback steps', function () {
  const pg = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });
  const chunk = (content: string, symbol?: string): Chunk => testChunk({ content, ...(symbol ? { symbol } : {}) });
  const open = async () => {
    const index = new PostgresKeywordIndex(pg.sql);
    await index.init();
    return index;
  };
  const ids = async (index: PostgresKeywordIndex, text: string, limit = 10) =>
    (await index.search({ text, limit, filter: {} })).map((hit) => hit.id);

  beforeEach(() => pg.sql.query('TRUNCATE keyword_chunks, keyword_files'));

  it('finds identifiers by fragments, most fragments first, only for words no chunk contains whole', async () => {
    const user = chunk('function getUserName(id) { return users[id].name }', 'getUserName');
    const login = chunk('const username = readLogin()');
    const index = await open();
    await index.upsert([user, login]);
    assert.deepEqual((await ids(index, 'UserNam')).sort(), [user.id, login.id].sort());
    assert.deepEqual(await ids(index, 'UserNam readLog'), [login.id, user.id]);
    // "name" is a whole word of `user`, so the substring inside `username` is not searched.
    assert.deepEqual(await ids(index, 'name'), [user.id]);
  });

  it('returns the same results once the planner statistics mark common words as common', async () => {
    const chunks = [
      ...Array.from({ length: 400 }, (_, i) => chunk(`value ${i} of the common table`)),
      chunk('parse the value of a flag'),
      chunk('parse a url and its query'),
      chunk('query planner statistics'),
    ];
    const queries = ['parse the value', 'parse query of the url', 'the value table flag', 'statistics of the planner'];
    const index = await open();
    await index.upsert(chunks);
    const before = await Promise.all(queries.map((text) => ids(index, text)));
    await pg.sql.query('ANALYZE keyword_chunks');
    const { rows } = await pg.sql.query<{ common: boolean }>(
      `SELECT 'the' = ANY(most_common_elems::text::text[]) AS common FROM pg_stats
        WHERE tablename = 'keyword_chunks' AND attname = 'document'`,
    );
    assert.equal(rows[0]?.common, true, 'ANALYZE lists "the" as a most common lexeme');
    const analysed = await open();
    assert.deepEqual(await Promise.all(queries.map((text) => ids(analysed, text))), before);
  });
});

for (const engine of ['server', 'pglite'] as const) {
  describe(`PostgreSQL keyword index: BM25 ranking (${engine === 'server' ? 'PostgreSQL' : 'PGlite'})`, function () {
    const pg = usePostgres({ engine, setup: (sql) => migrate(sql).then(() => undefined) });
    let serial = 0;
    const chunk = (path: string, content: string, symbol?: string): Chunk => {
      serial += 1;
      return testChunk({ path, content, startLine: serial, ...(symbol ? { symbol } : {}) });
    };
    const open = async () => {
      const index = new PostgresKeywordIndex(pg.sql);
      await index.init();
      return index;
    };
    beforeEach(() => pg.sql.query('TRUNCATE keyword_chunks, keyword_files'));

    it('keeps each file’s length current as its chunks are deleted', async () => {
      const cookieParse = chunk('lib/cookies.js', 'function parseCookie(header) { return header.split(";") }');
      const cookieExpire = chunk('lib/cookies.js', 'function isExpired(cookie, now) { return cookie.expires < now }');
      const index = await open();
      await index.upsert([cookieParse, cookieExpire]);
      await index.delete([cookieExpire.id]);
      const { rows } = await pg.sql.query<{ chunks: number }>(
        "SELECT chunks FROM keyword_files WHERE path = 'lib/cookies.js'",
      );
      assert.deepEqual(rows, [{ chunks: 1 }]);
      await index.delete([cookieParse.id]);
      const { rows: gone } = await pg.sql.query("SELECT 1 FROM keyword_files WHERE path = 'lib/cookies.js'");
      assert.equal(gone.length, 0);
    });
  });
}
