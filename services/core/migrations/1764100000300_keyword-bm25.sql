-- Up Migration
-- BM25 scoring of the PostgreSQL keyword adapter. Each chunk document gains English-stemmed words (identifiers keep
-- their exact lexeme too), its length in words and its weighted term frequencies (what BM25 reads per candidate);
-- `keyword_files` holds each file's length so a chunk's score can include its whole file's evidence.
-- Documents written before this migration lack those fields: every repository that has some is queued for a full
-- rebuild (embeddings come back from the content-hash cache, nothing is re-embedded), and they are dropped now.
INSERT INTO jobs (repository, kind)
SELECT r.name, 'full' FROM repositories r
WHERE EXISTS (SELECT 1 FROM keyword_chunks k WHERE k.repository = r.name)
ON CONFLICT DO NOTHING;
TRUNCATE keyword_chunks;

ALTER TABLE keyword_chunks
  -- Words of the content (identifiers split): the document length of BM25.
  ADD COLUMN tokens integer NOT NULL DEFAULT 0,
  -- {lexeme: field-weighted term frequency} over symbol, path and content.
  ADD COLUMN term_weights jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX keyword_chunks_file ON keyword_chunks (repository, path);

CREATE TABLE keyword_files (
  repository text NOT NULL,
  path text NOT NULL,
  tokens integer NOT NULL,
  chunks integer NOT NULL,
  PRIMARY KEY (repository, path)
);

-- Down Migration
DROP TABLE keyword_files;
DROP INDEX keyword_chunks_file;
ALTER TABLE keyword_chunks DROP COLUMN term_weights, DROP COLUMN tokens;
