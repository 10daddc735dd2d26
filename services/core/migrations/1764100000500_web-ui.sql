-- Up Migration
-- Browser sessions of the web UI. A session is an API key exchanged once for a cookie: the cookie carries a random
-- session id (signed with SECRET_KEY), and only its sha256 is stored. Deleting or revoking the key ends its sessions
-- (the foreign key removes them with the row; revocation is checked on every request). `csrf_token` is the
-- synchronizer token a cookie-authenticated write must echo in `X-CSRF-Token`.
CREATE TABLE web_sessions (
  id_hash text PRIMARY KEY,
  key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

-- One-time sign-in links (`myragdb up` prints one): redeemed once for a session, within minutes.
CREATE TABLE web_sign_in_links (
  token_hash text PRIMARY KEY,
  key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

-- Search volume, latency and failures per minute, for the web UI's activity charts; every gateway replica adds its
-- counts to the same rows. `latency_buckets[i]` counts searches at or under SEARCH_LATENCY_BOUNDS_MS[i] (the last
-- bucket is everything slower). Rows older than SEARCH_ACTIVITY_RETENTION_DAYS are deleted.
CREATE TABLE search_activity (
  minute timestamptz NOT NULL,
  mode text NOT NULL,
  searches integer NOT NULL CHECK (searches >= 0),
  failures integer NOT NULL CHECK (failures >= 0),
  degraded integer NOT NULL CHECK (degraded >= 0),
  total_ms double precision NOT NULL,
  latency_buckets integer[] NOT NULL,
  PRIMARY KEY (minute, mode)
);

-- Down Migration
DROP TABLE search_activity;
DROP TABLE web_sign_in_links;
DROP TABLE web_sessions;
