import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export const API_KEY_SCOPES = ['search', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Key id of the admin key bootstrapped from `MYRAGDB_API_KEY`, whose value has no id of its own. */
export const BOOTSTRAP_KEY_ID = 'bootstrap';

/** File in the data dir where `myragdb up` leaves the admin key it generated (mode 0600), and the CLI finds it. */
export const ADMIN_KEY_FILE = 'admin.key';

const KEY_PREFIX = 'mrdb';
const KEY_PATTERN = /^mrdb_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * scrypt at N=2^14, r=8 (OWASP's floor for scrypt): ~40 ms per hash on a slow core, so a leaked table resists
 * guessing; the gateway caches successful verifications so a search does not pay it on every request.
 */
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

export interface GeneratedApiKey {
  id: string;
  /** The full key `mrdb_<id>_<secret>`: shown once, never stored. */
  key: string;
}

export interface StoredSecret {
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`, self-describing so the cost can be raised for new keys later. */
  hash: string;
}

/** A new random key: 64-bit public id (for lookup) and 256-bit secret (base64url). */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(8).toString('hex');
  return { id, key: `${KEY_PREFIX}_${id}_${randomBytes(32).toString('base64url')}` };
}

/** The key id a presented key claims; any other string can only be the bootstrap key. */
export function apiKeyId(presented: string): string {
  return KEY_PATTERN.exec(presented)?.[1] ?? BOOTSTRAP_KEY_ID;
}

export async function hashApiKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(key, salt, HASH_BYTES, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Constant-time check of `key` against a stored hash; a malformed stored hash never matches. */
export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, hash] = stored.split('$');
  if (algorithm !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger) || expected.length === 0) return false;
  const actual = await scryptAsync(key, Buffer.from(salt, 'base64'), expected.length, cost);
  return timingSafeEqual(actual, expected);
}

/** A fast fingerprint for the in-memory verification cache; never stored or logged. */
export function apiKeyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
