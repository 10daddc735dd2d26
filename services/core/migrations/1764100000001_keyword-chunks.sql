-- Up Migration
-- Keyword documents of the PostgreSQL full-text adapter (KEYWORD_ENGINE=postgres). Kept apart from the catalog's
-- chunks so the KeywordIndex port means the same on Postgres and Meilisearch: the indexer writes, deletes and rebuilds
-- keyword documents explicitly, and a full rebuild of the keyword index never touches the catalog.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE keyword_chunks (
  id text PRIMARY KEY,
  repository text NOT NULL,
  path text NOT NULL,
  language text NOT NULL,
  -- Weighted `simple` tsvector: symbol (A), path (B), content (C), identifier-split content (D).
  document tsvector NOT NULL,
  -- Lower-cased distinct identifiers of symbol and content, for trigram matches on identifier fragments.
  identifiers text NOT NULL
);
CREATE INDEX keyword_chunks_document ON keyword_chunks USING gin (document);
CREATE INDEX keyword_chunks_identifiers ON keyword_chunks USING gin (identifiers gin_trgm_ops);
CREATE INDEX keyword_chunks_repository ON keyword_chunks (repository, language);

-- Down Migration
DROP TABLE keyword_chunks;
