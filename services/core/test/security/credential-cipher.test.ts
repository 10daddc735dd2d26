import assert from 'node:assert/strict';
import { ConfigError, ValidationError } from '../../src/errors.js';
import { createCredentialCipher, isSealed } from '../../src/security/credential-cipher.js';

describe('createCredentialCipher', () => {
  const cipher = createCredentialCipher('a-long-enough-encryption-key-123');

  it('round-trips and never repeats a ciphertext', () => {
    const first = cipher.seal('token-value');
    const second = cipher.seal('token-value');
    assert.ok(isSealed(first));
    assert.notEqual(first, second);
    assert.ok(!first.includes('token-value'));
    assert.equal(cipher.open(first), 'token-value');
    assert.equal(cipher.open(second), 'token-value');
  });

  it('refuses tampered data, a wrong key and unknown formats', () => {
    const sealed = cipher.seal('token-value');
    const [version, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => cipher.open([version, iv, tag, flipped.toString('base64url')].join('.')), ConfigError);
    assert.throws(() => createCredentialCipher('another-key-of-enough-length').open(sealed), ConfigError);
    assert.throws(() => cipher.open('plain text'), ValidationError);
    assert.throws(() => createCredentialCipher('short'), ConfigError);
  });
});
