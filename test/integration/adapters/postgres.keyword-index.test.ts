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

  it('ranks chunks with two of the rare query words above chunks with one when no chunk has them all', async () => {
    const both = chunk('retry the request with exponential backoff');
    const retryOnly = chunk('retry the request');
    const backoffOnly = chunk('backoff timer');
    const filler = Array.from({ length: 30 }, (_, i) => chunk(`the request number ${i}`));
    const index = await open();
    await index.upsert([retryOnly, backoffOnly, ...filler, both]);
    const found = await ids(index, 'retry with exponential backoff and jitter');
    assert.equal(found[0], both.id);
    assert.deepEqual(found.slice(1).sort(), [retryOnly.id, backoffOnly.id].sort());
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

    it('matches English word forms through stemming and ranks rare words above common ones', async () => {
      const redirects = chunk(
        'src/redirect.ts',
        'When a response redirects, the handler follows it to the new location.',
      );
      const common = Array.from({ length: 20 }, (_, i) => chunk(`src/handler${i}.ts`, `the handler number ${i}`));
      const index = await open();
      await index.upsert([...common, redirects]);
      const found = await index.search({ text: 'where is a redirect followed by the handler?', limit: 5, filter: {} });
      assert.equal(found[0]?.id, redirects.id);
      assert.ok(found.length <= 5);
    });

    it('adds file evidence: a file holding every word across its chunks beats a chunk holding one', async () => {
      const cookieParse = chunk('lib/cookies.js', 'function parseCookie(header) { return header.split(";") }');
      const cookieExpire = chunk('lib/cookies.js', 'function isExpired(cookie, now) { return cookie.expires < now }');
      const lonely = chunk('lib/other.js', 'cookie cookie cookie jar');
      const index = await open();
      await index.upsert([cookieParse, cookieExpire, lonely]);
      const found = await index.search({ text: 'parse cookie header and check if expired', limit: 3, filter: {} });
      assert.deepEqual(
        found
          .slice(0, 2)
          .map((hit) => hit.id)
          .sort(),
        [cookieParse.id, cookieExpire.id].sort(),
      );
      // Deleting a chunk updates its file's length: the index stays consistent with what is left.
      await index.delete([cookieExpire.id]);
      const { rows } = await pg.sql.query<{ chunks: number }>(
        "SELECT chunks FROM keyword_files WHERE path = 'lib/cookies.js'",
      );
      assert.deepEqual(rows, [{ chunks: 1 }]);
      await index.delete([cookieParse.id]);
      const { rows: gone } = await pg.sql.query("SELECT 1 FROM keyword_files WHERE path = 'lib/cookies.js'");
      assert.equal(gone.length, 0);
    });

    it('ranks the chunk defining an identifier first, whichever way the identifier is written', async () => {
      const definition = chunk(
        'src/cache.ts',
        'export function parseCacheControlHeader(value: string) {\n  return value.split(",");\n}',
        'parseCacheControlHeader',
      );
      const callers = Array.from({ length: 5 }, (_, i) =>
        chunk(`src/caller${i}.ts`, `const directives = parseCacheControlHeader(response.headers.cache); // ${i}`),
      );
      const index = await open();
      await index.upsert([...callers, definition]);
      for (const text of ['parseCacheControlHeader', 'parse cache control header', 'parse_cache_control_header'])
        assert.equal((await index.search({ text, limit: 3, filter: {} }))[0]?.id, definition.id, text);
    });

    it('answers a query with a 700-character CJK token instead of failing, and still uses the other words', async () => {
      const pool = chunk('src/pool.ts', 'class Pool { acquire() {} } // 連接池');
      const index = await open();
      await index.upsert([pool]);
      const long = '連'.repeat(700);
      assert.deepEqual(await index.search({ text: long, limit: 5, filter: {} }), []);
      assert.deepEqual(
        (await index.search({ text: `${long} pool acquire`, limit: 5, filter: {} })).map((hit) => hit.id),
        [pool.id],
      );
    });
  });
}
