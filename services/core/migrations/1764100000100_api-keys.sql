-- Up Migration
-- API keys of the search gateway. Only a salted scrypt hash of each key is stored (`scrypt$N$r$p$salt$hash`); the
-- key itself is shown once at creation. `id` is the public part of the key (`mrdb_<id>_<secret>`), or `bootstrap`
-- for the admin key taken from MYRAGDB_API_KEY. Revoked keys stay for auditing.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['search', 'admin']::text[]),
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- Down Migration
DROP TABLE api_keys;
