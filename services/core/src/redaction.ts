/**
 * Secret scrubbing shared by logging, config summaries and error reports. Hand-written because the npm redactors
 * (fast-redact, @pinojs/redact) need the exact object paths up front; here secrets are found by key name at any
 * depth and by shape inside free text (connection strings, bearer tokens, `password=`).
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear (snake, camel, kebab or header case). */
const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?$|secret|token$|api[-_]?key|apikey|authorization|^cookie$|^set-cookie$|credential|private[-_]?key|encryption[-_]?key|^dsn$|database[-_]?url|connection[-_]?string/i;

/** Counters such as `max_tokens` or `token_count` are not secrets; only strings and objects are hidden. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

const TEXT_PATTERNS: ReadonlyArray<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  // scheme://user:password@host → scheme://user:[REDACTED]@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/\s]+@/gi, `$1${REDACTED}@`],
  // Authorization: Bearer abc / Basic abc
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // password=..., access_token=..., MEILI_API_KEY=..., "client_secret": "..." (quotes kept, so JSON stays JSON)
  [
    /((?<![\w-])["']?[\w-]*?(?:password|passwd|secret|token|api[-_]?key|apikey|access[-_]?key|encryption[-_]?key|authorization)["']?\s*[=:]\s*)(?!(?:bearer|basic)\s)("[^"]*"|'[^']*'|[^\s,;&"'}]+)/gi,
    (_match, prefix, value) => {
      const quote = value?.startsWith('"') || value?.startsWith("'") ? value[0] : '';
      return `${prefix}${quote}${REDACTED}${quote}`;
    },
  ],
];

/** Replaces secret-looking fragments inside free text. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) {
    result =
      typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement);
  }
  return result;
}

/**
 * Deep copy with secrets hidden: values under secret keys become `[REDACTED]`, strings are scrubbed, errors become
 * plain `{name, message, code?, stack?}` objects. Cycles are cut.
 */
export function redactDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, seen);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen));
  if (value instanceof Date) return value;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    result[key] = isSecretKey(key) && isHideable(entry) ? REDACTED : redactDeep(entry, seen);
  }
  return result;
}

function isHideable(value: unknown): boolean {
  return value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'boolean';
}

function redactError(error: Error, seen: WeakSet<object>): Record<string, unknown> {
  const plain: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  for (const [key, entry] of Object.entries(error)) {
    plain[key] = isSecretKey(key) && isHideable(entry) ? REDACTED : redactDeep(entry, seen);
  }
  if (error.stack) plain.stack = redactText(error.stack);
  if (error.cause !== undefined) plain.cause = redactDeep(error.cause, seen);
  return plain;
}
