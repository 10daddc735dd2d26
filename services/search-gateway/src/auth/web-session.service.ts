import { createHash, randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../../../core/src/errors.js';
import type { SqlQueryable } from '../../../core/src/ports/sql-database.js';
import type { ApiKeyScope } from './api-key-secret.js';
import type { ApiKeyService, ApiPrincipal } from './api-key.service.js';

/** A signed-in browser: who it is, and the token its cookie-authenticated writes must echo. */
export interface WebSession {
  principal: ApiPrincipal;
  csrfToken: string;
  expiresAt: Date;
}

export interface NewWebSession extends WebSession {
  /** The secret session id that goes into the cookie; only its hash is stored. */
  id: string;
}

export interface WebSessionSettings {
  ttlMs: number;
  signInLinkTtlMs: number;
}

interface SessionRow {
  key_id: string;
  scopes: ApiKeyScope[];
  csrf_token: string;
  expires_at: Date | string;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const newSecret = () => randomBytes(32).toString('base64url');

/**
 * Browser sessions over API keys (tables `web_sessions`, `web_sign_in_links`). A session lives at most `ttlMs` and
 * no longer than its key: every lookup joins the key row, so revoking or expiring the key signs its browsers out.
 */
export class WebSessionService {
  constructor(
    private readonly db: SqlQueryable,
    private readonly keys: ApiKeyService,
    private readonly settings: WebSessionSettings,
  ) {}

  /** Exchanges an API key for a session; `UnauthorizedError` when the key is not valid. */
  async signIn(apiKey: string, now: Date): Promise<NewWebSession> {
    const principal = await this.keys.authenticate(apiKey, now);
    return this.open(principal, now);
  }

  /** A link secret that signs the holder in once, as `keyId`, within `signInLinkTtlMs`. */
  async createSignInLink(keyId: string, now: Date): Promise<string> {
    const token = newSecret();
    await this.db.query('DELETE FROM web_sign_in_links WHERE expires_at <= $1', [now]);
    await this.db.query('INSERT INTO web_sign_in_links (token_hash, key_id, expires_at) VALUES ($1, $2, $3)', [
      hashOf(token),
      keyId,
      new Date(now.getTime() + this.settings.signInLinkTtlMs),
    ]);
    return token;
  }

  /** Redeems a sign-in link (deleting it: a second use fails) for a session of its key. */
  async redeemSignInLink(token: string, now: Date): Promise<NewWebSession> {
    const { rows } = await this.db.query<{ key_id: string; expires_at: Date | string }>(
      'DELETE FROM web_sign_in_links WHERE token_hash = $1 RETURNING key_id, expires_at',
      [hashOf(token)],
    );
    const link = rows[0];
    if (!link || new Date(link.expires_at) <= now) {
      throw new UnauthorizedError('this sign-in link is invalid, expired or already used');
    }
    const principal = await this.keys.activePrincipal(link.key_id, now);
    if (!principal) throw new UnauthorizedError('the API key of this sign-in link was revoked or has expired');
    return this.open(principal, now);
  }

  /** The live session with this id, or undefined (unknown, expired, or its key revoked or expired). */
  async find(id: string, now: Date): Promise<WebSession | undefined> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT s.key_id, k.scopes, s.csrf_token, s.expires_at
         FROM web_sessions s JOIN api_keys k ON k.id = s.key_id
        WHERE s.id_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL
          AND (k.expires_at IS NULL OR k.expires_at > $2)`,
      [hashOf(id), now],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      principal: { keyId: row.key_id, scopes: row.scopes },
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
    };
  }

  async signOut(id: string): Promise<void> {
    await this.db.query('DELETE FROM web_sessions WHERE id_hash = $1', [hashOf(id)]);
  }

  private async open(principal: ApiPrincipal, now: Date): Promise<NewWebSession> {
    const id = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(now.getTime() + this.settings.ttlMs);
    // Expired sessions are swept here, at sign-in, so the table stays small without a timer.
    await this.db.query('DELETE FROM web_sessions WHERE expires_at <= $1', [now]);
    await this.db.query('INSERT INTO web_sessions (id_hash, key_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)', [
      hashOf(id),
      principal.keyId,
      csrfToken,
      expiresAt,
    ]);
    return { id, principal, csrfToken, expiresAt };
  }
}
