import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { PgliteSqlDatabase } from '../../../services/core/src/adapters/sql-database/pglite.sql-database.js';
import { PostgresKeywordIndex } from '../../../services/core/src/adapters/keyword-index/postgres.keyword-index.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { keywordIndexContract } from '../../../services/core/src/testing/keyword-index.contract.js';
import { freePort } from '../../support/ports.js';
import { usePostgres } from '../../support/postgres.js';

for (const engine of ['server', 'pglite'] as const) {
  describe(`KeywordIndex contract: PostgreSQL full-text search (${engine === 'server' ? 'PostgreSQL' : 'PGlite'})`, function () {
    const pg = usePostgres({ engine, setup: (sql) => migrate(sql).then(() => undefined) });
    keywordIndexContract({
      open: async () => {
        await pg.sql.query('TRUNCATE keyword_chunks');
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
