import assert from 'node:assert/strict';
import {
  apiKeyFingerprint,
  apiKeyId,
  BOOTSTRAP_KEY_ID,
  generateApiKey,
  hashApiKey,
  verifyApiKey,
} from '../../src/auth/api-key-secret.js';

describe('API key secrets', () => {
  it('generates distinct keys that carry their public id', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    assert.notEqual(first.key, second.key);
    assert.match(first.key, /^mrdb_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(apiKeyId(first.key), first.id);
  });

  it('maps any other string to the bootstrap key id', () => {
    assert.equal(apiKeyId('my-env-admin-key'), BOOTSTRAP_KEY_ID);
    assert.equal(apiKeyId('mrdb_short_x'), BOOTSTRAP_KEY_ID);
  });

  it('stores a salted scrypt hash that verifies only the same key', async () => {
    const { key } = generateApiKey();
    const hash = await hashApiKey(key);
    assert.match(hash, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!hash.includes(key));
    assert.notEqual(await hashApiKey(key), hash, 'a fresh salt per hash');
    assert.equal(await verifyApiKey(key, hash), true);
    assert.equal(await verifyApiKey(`${key}x`, hash), false);
    assert.equal(await verifyApiKey(generateApiKey().key, hash), false);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'plain', 'bcrypt$1$2$3$aa$bb', 'scrypt$x$8$1$aa$bb', 'scrypt$16384$8$1$aa$']) {
      assert.equal(await verifyApiKey('anything', stored), false, stored);
    }
  });

  it('fingerprints deterministically without exposing the key', () => {
    assert.equal(apiKeyFingerprint('k'), apiKeyFingerprint('k'));
    assert.notEqual(apiKeyFingerprint('k'), apiKeyFingerprint('l'));
    assert.ok(!apiKeyFingerprint('secret-key').includes('secret'));
  });
});
