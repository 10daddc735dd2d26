-- Up Migration
-- Which keyword store (engine, index, document format) holds each repository's keyword documents. A sync whose keyword
-- index is another store (KEYWORD_ENGINE or MEILI_INDEX_PREFIX changed, or the documents' format did) writes the
-- repository's documents into it again from the catalog's chunks: nothing is re-read or re-embedded. NULL (every row
-- written before this migration) is unknown, so the first sync after it writes them once.
ALTER TABLE index_state ADD COLUMN keyword_store text;

-- Down Migration
ALTER TABLE index_state DROP COLUMN keyword_store;
