-- Up Migration
-- The catalog: source of truth for repositories, their files and chunks, the embedding cache and index state.
-- Every statement here runs on PostgreSQL 15+ and on PGlite (PostgreSQL 18 in WASM).

CREATE TABLE repositories (
  name text PRIMARY KEY,
  -- {"type":"local","path":…} or {"type":"git","url":…,"ref":…,"credentials":"v1:…"}; credentials AES-256-GCM sealed.
  source jsonb NOT NULL,
  include_globs text[] NOT NULL DEFAULT '{}',
  exclude_globs text[] NOT NULL DEFAULT '{}',
  max_file_bytes integer NOT NULL CHECK (max_file_bytes > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Model and dimension the repository's vectors belong to, the generation counter search caches key on, sync outcome.
CREATE TABLE index_state (
  repository text PRIMARY KEY REFERENCES repositories (name) ON DELETE CASCADE ON UPDATE CASCADE,
  model_id text,
  dimension integer CHECK (dimension > 0),
  generation integer NOT NULL DEFAULT 0,
  last_indexed_at timestamptz,
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE files (
  repository text NOT NULL REFERENCES repositories (name) ON DELETE CASCADE ON UPDATE CASCADE,
  path text NOT NULL,
  size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  mtime_ms double precision NOT NULL DEFAULT 0,
  content_hash text,
  language text,
  -- Set for files discovery skipped (binary, too large, generated…); such rows have no chunks and no hash.
  skip_reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository, path),
  CHECK (skip_reason IS NOT NULL OR content_hash IS NOT NULL)
);

CREATE TABLE chunks (
  id text PRIMARY KEY,
  repository text NOT NULL,
  path text NOT NULL,
  language text NOT NULL,
  start_line integer NOT NULL CHECK (start_line >= 1),
  end_line integer NOT NULL CHECK (end_line >= start_line),
  symbol text,
  content text NOT NULL,
  content_hash text NOT NULL,
  -- False until the chunk's vector is stored in the vector index for the repository's current model.
  embedded boolean NOT NULL DEFAULT false,
  FOREIGN KEY (repository, path) REFERENCES files (repository, path) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX chunks_file ON chunks (repository, path);
CREATE INDEX chunks_content_hash ON chunks (content_hash);
CREATE INDEX chunks_vectors_pending ON chunks (repository, id) WHERE NOT embedded;

-- Vectors by content: a rename, a copy or a re-sync never embeds the same text with the same model twice.
CREATE TABLE embedding_cache (
  model_id text NOT NULL,
  content_hash text NOT NULL,
  -- float32 little-endian, `dimension` values.
  embedding bytea NOT NULL,
  dimension integer NOT NULL CHECK (dimension > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, content_hash)
);

CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  repository text NOT NULL REFERENCES repositories (name) ON DELETE CASCADE ON UPDATE CASCADE,
  kind text NOT NULL CHECK (kind IN ('sync', 'full')),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress jsonb,
  result jsonb,
  -- {"code":…,"message":…}
  error jsonb,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  locked_by text,
  heartbeat_at timestamptz,
  lease_expires_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  run_after timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- Enqueue dedupe: at most one queued job per repository and kind.
CREATE UNIQUE INDEX jobs_one_queued ON jobs (repository, kind) WHERE state = 'queued';
-- Two workers never index the same repository at once: a second claim of the repository fails on this index.
CREATE UNIQUE INDEX jobs_one_running ON jobs (repository) WHERE state = 'running';
CREATE INDEX jobs_claimable ON jobs (run_after, created_at) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_by_repository ON jobs (repository, created_at DESC);

-- Down Migration
DROP TABLE jobs;
DROP TABLE embedding_cache;
DROP TABLE chunks;
DROP TABLE files;
DROP TABLE index_state;
DROP TABLE repositories;
