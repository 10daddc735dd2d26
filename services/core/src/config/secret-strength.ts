/** Pure checks that a secret is not a placeholder or a short, guessable string. Used for production refusals. */

export const MIN_SECRET_LENGTH = 32;
/** Estimated bits (length × Shannon entropy per character). Random base64 of 32 chars scores ~150, hex of 32 ~120. */
export const MIN_SECRET_ENTROPY_BITS = 100;
const MIN_DISTINCT_CHARACTERS = 10;
const PLACEHOLDER_WORDS = ['changeme', 'change-me', 'change_me', 'secret', 'password', 'example', 'default', 'xxxxxx'];

/** Shannon entropy of the string's own character distribution, times its length. */
export function estimateEntropyBits(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    bitsPerCharacter -= probability * Math.log2(probability);
  }
  return bitsPerCharacter * value.length;
}

/**
 * Why a secret is too weak for production, or undefined when it is acceptable.
 * The reason never contains the secret, nor its length.
 */
export function weakSecretReason(value: string): string | undefined {
  const lowered = value.toLowerCase();
  if (PLACEHOLDER_WORDS.some((word) => lowered.includes(word))) return 'looks like a placeholder';
  if (value.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters`;
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS || estimateEntropyBits(value) < MIN_SECRET_ENTROPY_BITS) {
    return 'is too predictable (low entropy)';
  }
  return undefined;
}
