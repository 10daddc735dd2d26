import type { SqlQueryable } from '../../../core/src/ports/sql-database.js';
import type { ApiKeyScope } from './api-key-secret.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface StoredApiKey extends ApiKeyRecord {
  secretHash: string;
}

interface ApiKeyRow {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  secret_hash: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

const COLUMNS = 'id, name, scopes, secret_hash, created_at, expires_at, revoked_at, last_used_at';

/** API keys in the catalog database (table `api_keys`, see the gateway's migration). Only hashes are stored. */
export class ApiKeyRepository {
  constructor(private readonly db: SqlQueryable) {}

  async insert(key: {
    id: string;
    name: string;
    scopes: readonly ApiKeyScope[];
    secretHash: string;
    expiresAt: Date | null;
  }): Promise<ApiKeyRecord> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, scopes, secret_hash, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [key.id, key.name, [...key.scopes], key.secretHash, key.expiresAt],
    );
    return withoutSecret(toStored(rows[0]!));
  }

  /** Creates or replaces the key with this id (the bootstrap key follows `MYRAGDB_API_KEY` across restarts). */
  async upsert(key: { id: string; name: string; scopes: readonly ApiKeyScope[]; secretHash: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO api_keys (id, name, scopes, secret_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, scopes = EXCLUDED.scopes, secret_hash = EXCLUDED.secret_hash,
         revoked_at = NULL, expires_at = NULL`,
      [key.id, key.name, [...key.scopes], key.secretHash],
    );
  }

  async find(id: string): Promise<StoredApiKey | undefined> {
    const { rows } = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows[0] && toStored(rows[0]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return rows.map((row) => withoutSecret(toStored(row)));
  }

  /** Marks the key revoked; false when no such key is active. Rows stay for auditing. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, now],
    );
    return rowCount > 0;
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM api_keys WHERE id = $1', [id]);
  }

  /** Records use at most once a minute per key, so authentication does not write on every request. */
  async touch(id: string, now: Date): Promise<void> {
    await this.db.query(
      // The cast matters: an untyped `$2 - interval` is read as interval arithmetic and the update fails.
      `UPDATE api_keys SET last_used_at = $2::timestamptz
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
      [id, now],
    );
  }
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}

function toStored(row: ApiKeyRow): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
  };
}

function withoutSecret({ secretHash: _secretHash, ...record }: StoredApiKey): ApiKeyRecord {
  return record;
}
