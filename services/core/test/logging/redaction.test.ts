import assert from 'node:assert/strict';
import { REDACTED, isSecretKey, redactDeep, redactText } from '../../src/redaction.js';

describe('redaction', () => {
  it('scrubs secrets by shape inside free text', () => {
    const cases: Array<[string, string]> = [
      ['postgres://myragdb:hunter2@db:5432/x', `postgres://myragdb:${REDACTED}@db:5432/x`],
      ['GET /cb?access_token=abc123&page=2', `GET /cb?access_token=${REDACTED}&page=2`],
      ['MEILI_API_KEY=masterkey started', `MEILI_API_KEY=${REDACTED} started`],
      ['{"client_secret":"s3cr3t","user":"u"}', `{"client_secret":"${REDACTED}","user":"u"}`],
      ['Authorization: Bearer eyJhbGciOi.abc.def', `Authorization: Bearer ${REDACTED}`],
      ['authorization: rawtoken123', `authorization: ${REDACTED}`],
      ["password = 'p w'", `password = '${REDACTED}'`],
    ];
    for (const [input, expected] of cases) assert.equal(redactText(input), expected, input);
  });

  it('leaves look-alikes that are not secrets', () => {
    for (const text of ['max_tokens=512', 'token count=5 tokens', 'https://user@host/path', 'tokenizer: default']) {
      assert.equal(redactText(text), text);
    }
  });

  it('recognises secret keys in any case style, but not counters', () => {
    for (const key of [
      'password',
      'DB_PASSWORD',
      'apiKey',
      'x-api-key',
      'Authorization',
      'SECRET_KEY',
      'refresh_token',
    ]) {
      assert.ok(isSecretKey(key), key);
    }
    for (const key of ['tokens', 'max_tokens_count', 'tokenizer', 'passage', 'keyword']) {
      assert.ok(!isSecretKey(key), key);
    }
  });

  it('copies deeply, hides values under secret keys, keeps numbers and survives cycles', () => {
    const input: Record<string, unknown> = {
      config: { DATABASE_URL: 'postgres://u:p@h/db', pool: 10 },
      list: [{ token: 'abc' }, 'Bearer abcdefghij'],
      max_tokens: 512,
      when: new Date(0),
    };
    input.self = input;
    assert.deepEqual(redactDeep(input), {
      config: { DATABASE_URL: REDACTED, pool: 10 },
      list: [{ token: REDACTED }, `Bearer ${REDACTED}`],
      max_tokens: 512,
      when: new Date(0),
      self: '[Circular]',
    });
  });

  it('turns errors into plain objects with redacted message, stack, fields and cause', () => {
    const cause = Object.assign(new Error('auth failed: password=pw1'), { code: 'EAUTH' });
    const error = Object.assign(new Error('query failed on postgres://u:pw2@h/db', { cause }), { apiKey: 'k' });
    const plain = redactDeep(error) as Record<string, unknown>;
    const text = JSON.stringify(plain);
    assert.ok(!text.includes('pw1') && !text.includes('pw2'));
    assert.equal(plain.apiKey, REDACTED);
    assert.equal((plain.cause as { code: string }).code, 'EAUTH');
    assert.match(String(plain.stack), /^Error: query failed on postgres:\/\/u:\[REDACTED\]@h\/db/);
  });
});
