import { LRUCache } from 'lru-cache';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../../core/src/errors.js';
import {
  type ApiKeyScope,
  apiKeyFingerprint,
  apiKeyId,
  BOOTSTRAP_KEY_ID,
  generateApiKey,
  hashApiKey,
  verifyApiKey,
} from './api-key-secret.js';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key.repository.js';

/** Who a request authenticated as. */
export interface ApiPrincipal {
  keyId: string;
  scopes: readonly ApiKeyScope[];
}

export interface CreatedApiKey extends ApiKeyRecord {
  /** The secret key: returned once, at creation. */
  key: string;
}

/** admin can do everything search can. */
export function hasScope(principal: ApiPrincipal, scope: ApiKeyScope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function requireScope(principal: ApiPrincipal, scope: ApiKeyScope): void {
  if (!hasScope(principal, scope)) throw new ForbiddenError(`this API key lacks the "${scope}" scope`);
}

function isActive(key: ApiKeyRecord, now: Date): boolean {
  return !key.revokedAt && (!key.expiresAt || key.expiresAt > now);
}

/**
 * Issues, lists, revokes and checks API keys. The key row is read on every request (a primary-key lookup), so
 * revocation and expiry apply at once; only the expensive scrypt comparison is cached, keyed by the presented
 * key's fingerprint together with the stored hash it matched, so a rotated hash is checked afresh.
 */
export class ApiKeyService {
  private readonly verified = new LRUCache<string, string>({ max: 10_000 });
  /** When this process last recorded each key's use, so a busy key costs one write a minute, not one per request. */
  private readonly touched = new LRUCache<string, number>({ max: 10_000 });

  constructor(private readonly keys: ApiKeyRepository) {}

  async create(input: {
    name: string;
    scopes: readonly ApiKeyScope[];
    expiresAt?: Date | null;
  }): Promise<CreatedApiKey> {
    const { id, key } = generateApiKey();
    const record = await this.keys.insert({
      id,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      secretHash: await hashApiKey(key),
      expiresAt: input.expiresAt ?? null,
    });
    return { ...record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  async revoke(id: string, now: Date): Promise<void> {
    if (!(await this.keys.revoke(id, now))) throw new NotFoundError(`no active API key with id "${id}"`);
  }

  /** Makes `MYRAGDB_API_KEY` an admin key, or removes the bootstrapped key once the variable is unset. */
  async syncBootstrapKey(value: string | undefined): Promise<void> {
    if (value === undefined) return this.keys.remove(BOOTSTRAP_KEY_ID);
    const existing = await this.keys.find(BOOTSTRAP_KEY_ID);
    if (existing && !existing.revokedAt && (await verifyApiKey(value, existing.secretHash))) return;
    await this.keys.upsert({
      id: BOOTSTRAP_KEY_ID,
      name: 'bootstrap admin key (MYRAGDB_API_KEY)',
      scopes: ['admin'],
      secretHash: await hashApiKey(value),
    });
  }

  /** The principal for a presented key; `UnauthorizedError` with one message for every kind of failure. */
  async authenticate(presented: string, now: Date): Promise<ApiPrincipal> {
    // A MYRAGDB_API_KEY value may itself look like a generated key (`myragdb up` makes one): try the bootstrap row too.
    const claimed = apiKeyId(presented);
    const stored =
      (await this.keys.find(claimed)) ??
      (claimed === BOOTSTRAP_KEY_ID ? undefined : await this.keys.find(BOOTSTRAP_KEY_ID));
    if (!stored || !isActive(stored, now) || !(await this.matches(presented, stored.secretHash))) {
      throw new UnauthorizedError('invalid, expired or revoked API key');
    }
    this.recordUse(stored.id, now);
    return { keyId: stored.id, scopes: stored.scopes };
  }

  /**
   * Sets the key's "last used" time, at most once a minute per key and process: a bearer request and a request of
   * a web session signed in with the key both use it.
   */
  recordUse(id: string, now: Date): void {
    if (now.getTime() - (this.touched.get(id) ?? 0) < 60_000) return;
    this.touched.set(id, now.getTime());
    this.keys.touch(id, now).catch(() => undefined); // best effort: bookkeeping must not fail the request
  }

  /** The principal of the key with this id while it is active (neither revoked nor expired), else undefined. */
  async activePrincipal(id: string, now: Date): Promise<ApiPrincipal | undefined> {
    const stored = await this.keys.find(id);
    return stored && isActive(stored, now) ? { keyId: stored.id, scopes: stored.scopes } : undefined;
  }

  /**
   * True when this process has verified `presented` before (against whatever hash it then had): a cheap check that
   * spends no scrypt, used to let known keys past the failed-attempt limiter. Authentication still follows.
   */
  recentlyVerified(presented: string): boolean {
    return this.verified.has(apiKeyFingerprint(presented));
  }

  private async matches(presented: string, secretHash: string): Promise<boolean> {
    const fingerprint = apiKeyFingerprint(presented);
    if (this.verified.get(fingerprint) === secretHash) return true;
    const ok = await verifyApiKey(presented, secretHash);
    if (ok) this.verified.set(fingerprint, secretHash);
    return ok;
  }
}
