/**
 * AES-256-GCM sealing of stored credentials (git tokens) with AUTH_ENCRYPTION_KEY. The key string is stretched to
 * 32 bytes with HKDF-SHA256; every seal has a fresh 96-bit IV; the GCM tag makes tampering or a wrong key fail loudly.
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>` in base64url, safe inside JSON.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError, ValidationError } from '../errors.js';

const VERSION = 'v1';
const INFO = 'myragdb credential cipher v1';

export interface CredentialCipher {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${VERSION}.`) && value.split('.').length === 4;
}

export function createCredentialCipher(encryptionKey: string): CredentialCipher {
  if (encryptionKey.length < 16) throw new ConfigError('AUTH_ENCRYPTION_KEY is too short to encrypt credentials');
  const key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), INFO, 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      if (!isSealed(sealed)) throw new ValidationError('stored credentials are not in a known sealed format');
      const [, iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv!);
        decipher.setAuthTag(tag!);
        return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new ConfigError('stored credentials cannot be decrypted: wrong AUTH_ENCRYPTION_KEY or corrupted data', {
          cause: error,
        });
      }
    },
  };
}
