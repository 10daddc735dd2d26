-- Up Migration
-- Keyword documents a sync has written but not yet committed to the catalog: phase 1 writes the keyword store
-- before the catalog, so a sync that dies in between leaves documents the catalog does not know. If the file then
-- changes again, nothing would ever delete them; the next sync of the repository deletes the ids recorded here that
-- the catalog does not hold. Committing a file's chunks removes their rows.
CREATE TABLE keyword_write_intents (
  repository text NOT NULL REFERENCES repositories (name) ON DELETE CASCADE ON UPDATE CASCADE,
  chunk_id text NOT NULL,
  PRIMARY KEY (repository, chunk_id)
);

-- Down Migration
DROP TABLE keyword_write_intents;
