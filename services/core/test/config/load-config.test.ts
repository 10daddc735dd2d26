import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import {
  type ConfigProblem,
  describeConfig,
  loadConfig,
  unknownProductVariables,
} from '../../src/config/load-config.js';
import { estimateEntropyBits, weakSecretReason } from '../../src/config/secret-strength.js';

const STRONG_SECRET = 'q8Zr1vXk3NfT6mWp0LsY4dHb7GcJ2eUa9RoV5iKx';
const OTHER_STRONG_SECRET = 'Hn3Vb8Kq1Zt6Yw0Rc5Lm9Px2Fs7Dj4Ga-Ue_Io+Ab';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

function problemsOf(error: ConfigError): ConfigProblem[] {
  return (error.details as { problems: ConfigProblem[] }).problems;
}

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.ENVIRONMENT, 'development');
    assert.equal(config.PORT, 3002);
    assert.equal(config.REQUEST_SIZE_LIMIT, 10 * 1024 * 1024);
    assert.equal(config.DEBUG, false);
    assert.deepEqual(config.CORS_ORIGINS, []);
    assert.equal(config.LOG_FORMAT, 'pretty');
    assert.equal(config.KEYWORD_ENGINE, 'postgres');
    assert.equal(config.DATABASE_URL, undefined);
  });

  it('uses Meilisearch for keywords when MEILI_URL is set, unless KEYWORD_ENGINE says postgres', () => {
    assert.equal(loadConfig({ MEILI_URL: 'http://127.0.0.1:7700' }).KEYWORD_ENGINE, 'meilisearch');
    assert.equal(
      loadConfig({ MEILI_URL: 'http://127.0.0.1:7700', KEYWORD_ENGINE: 'postgres' }).KEYWORD_ENGINE,
      'postgres',
    );
    assert.equal(loadConfig({ MEILI_URL: '' }).KEYWORD_ENGINE, 'postgres', 'a blank MEILI_URL is unset');
  });

  it('parses typed values and ignores unrelated variables', () => {
    const config = loadConfig({
      PORT: '8080',
      DEBUG: 'true',
      REQUEST_SIZE_LIMIT: '512kb',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      MYRAGDB_ALLOWED_ROOTS: '/srv/repos,/home/me',
      PATH: '/usr/bin',
    });
    assert.equal(config.PORT, 8080);
    assert.equal(config.DEBUG, true);
    assert.equal(config.REQUEST_SIZE_LIMIT, 512 * 1024);
    assert.deepEqual(config.CORS_ORIGINS, ['https://a.example.com', 'http://localhost:5173']);
    assert.deepEqual(config.MYRAGDB_ALLOWED_ROOTS, ['/srv/repos', '/home/me']);
    assert.equal((config as Record<string, unknown>).PATH, undefined);
  });

  it('treats blank values as unset, as a `FOO=` line in .env means', () => {
    assert.equal(loadConfig({ PORT: '  ', LOG_DIR: '' }).PORT, 3002);
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example.com' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.CORS_ORIGINS));
    assert.throws(() => {
      (config as { PORT: number }).PORT = 1;
    }, TypeError);
  });

  it('names every bad variable in one error, in schema order', () => {
    const error = configErrorOf(() =>
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        REQUEST_SIZE_LIMIT: 'huge',
        CORS_ORIGINS: 'not-an-origin',
        DATABASE_POOL_SIZE: '0',
        CHROMA_URL: 'ftp://chroma',
        CHROMA_COLLECTION_PREFIX: 'team a/',
        MEILI_INDEX_PREFIX: '-chunks',
      }),
    );
    const variables = problemsOf(error).map((problem) => problem.variable);
    assert.deepEqual(variables, [
      'PORT',
      'LOG_LEVEL',
      'REQUEST_SIZE_LIMIT',
      'CORS_ORIGINS',
      'DATABASE_POOL_SIZE',
      'MEILI_INDEX_PREFIX',
      'CHROMA_URL',
      'CHROMA_COLLECTION_PREFIX',
    ]);
    assert.match(error.message, /^Invalid configuration \(8 problems\):/);
    assert.match(error.message, /CHROMA_COLLECTION_PREFIX: must be 1-63 letters, digits/);
    for (const variable of variables) assert.match(error.message, new RegExp(`^  - ${variable}: `, 'm'));
    assert.match(error.message, /PORT: must be a whole number \(got "eighty"\)/);
    assert.match(error.message, /DATABASE_POOL_SIZE: must be at least 1/);
    assert.equal(error.code, 'invalid_config');
  });

  it('never echoes secret values, even when they are malformed', () => {
    const error = configErrorOf(() =>
      loadConfig({
        DATABASE_URL: 'mysql://admin:hunter2-db-password@db/x',
        MEILI_API_KEY: '',
        ENVIRONMENT: 'production',
        SECRET_KEY: 'my-tiny-secret-key-value',
        AUTH_ENCRYPTION_KEY: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        MYRAGDB_API_KEY: 'apikey-12345',
      }),
    );
    for (const secret of ['hunter2', 'my-tiny-secret-key-value', 'aaaaaaaa', 'apikey-12345']) {
      assert.ok(!error.message.includes(secret), `message leaks ${secret}`);
      assert.ok(!JSON.stringify(error.details).includes(secret), `details leak ${secret}`);
    }
    assert.match(error.message, /DATABASE_URL: must be a postgres:\/\/ URL$/m);
  });

  it('scrubs credentials from echoed non-secret values', () => {
    const error = configErrorOf(() => loadConfig({ MEILI_URL: 'ftp://user:pa55word@meili' }));
    assert.ok(!error.message.includes('pa55word'));
  });

  describe('production', () => {
    const production = {
      ENVIRONMENT: 'production',
      SECRET_KEY: STRONG_SECRET,
      AUTH_ENCRYPTION_KEY: OTHER_STRONG_SECRET,
    };

    it('starts with strong secrets and logs as JSON', () => {
      const config = loadConfig(production);
      assert.equal(config.LOG_FORMAT, 'json');
    });

    it('refuses missing secrets together with any other problem', () => {
      const error = configErrorOf(() => loadConfig({ ENVIRONMENT: 'production', PORT: '70000' }));
      assert.deepEqual(
        problemsOf(error).map((problem) => problem.variable),
        ['PORT', 'SECRET_KEY', 'AUTH_ENCRYPTION_KEY'],
      );
      assert.match(error.message, /SECRET_KEY: required in production/);
    });

    it('refuses short, placeholder and low-entropy secrets', () => {
      for (const [weak, reason] of [
        ['Zx9-short', /must be at least 32 characters/],
        ['changeme-changeme-changeme-changeme-1234', /looks like a placeholder/],
        ['abababababababababababababababababababab', /is too predictable \(low entropy\)/],
      ] as const) {
        const error = configErrorOf(() => loadConfig({ ...production, SECRET_KEY: weak }));
        assert.match(error.message, new RegExp(`SECRET_KEY: too weak for production: ${reason.source}`));
      }
    });

    it('refuses the same key for signing and encryption', () => {
      const error = configErrorOf(() => loadConfig({ ...production, AUTH_ENCRYPTION_KEY: STRONG_SECRET }));
      assert.match(error.message, /AUTH_ENCRYPTION_KEY: must differ from SECRET_KEY/);
    });

    it('refuses wildcard CORS and DEBUG', () => {
      const error = configErrorOf(() =>
        loadConfig({ ...production, CORS_ORIGINS: 'https://ok.example.com,*', DEBUG: 'yes' }),
      );
      assert.deepEqual(
        problemsOf(error).map((problem) => problem.variable),
        ['DEBUG', 'CORS_ORIGINS'],
      );
    });

    it('allows wildcard CORS outside production', () => {
      assert.deepEqual(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS, ['*']);
    });
  });

  it('checks variables that depend on each other', () => {
    const error = configErrorOf(() =>
      loadConfig({ KEYWORD_ENGINE: 'meilisearch', EMBEDDING_PROVIDER: 'openai-compatible' }),
    );
    assert.deepEqual(
      problemsOf(error).map((problem) => problem.variable),
      ['MEILI_URL', 'EMBEDDING_ENDPOINT'],
    );
    assert.match(configErrorOf(() => loadConfig({ EMBEDDING_PROVIDER: 'onnx' })).message, /EMBEDDING_MODEL: required/);
  });
});

describe('describeConfig', () => {
  it('shows secrets only as redacted and strips URL credentials', () => {
    const config = loadConfig({
      SECRET_KEY: STRONG_SECRET,
      DATABASE_URL: 'postgres://myragdb:db-pass-123@db:5432/myragdb?password=db-pass-123',
      MEILI_URL: 'http://127.0.0.1:7700',
    });
    const rows = Object.fromEntries(describeConfig(config).map((row) => [row.variable, row.value]));
    const printed = JSON.stringify(rows);
    assert.ok(!printed.includes(STRONG_SECRET));
    assert.ok(!printed.includes('db-pass-123'));
    assert.equal(rows.SECRET_KEY, '[REDACTED]');
    assert.equal(rows.DATABASE_URL, 'postgres://myragdb:[REDACTED]@db:5432/myragdb');
    assert.equal(rows.MEILI_URL, 'http://127.0.0.1:7700');
    assert.equal(rows.AUTH_ENCRYPTION_KEY, '(unset)');
  });
});

describe('unknownProductVariables', () => {
  it('lists MYRAGDB_* names the schema does not know, and nothing else', () => {
    assert.deepEqual(
      unknownProductVariables({
        MYRAGDB_APIKEY: 'x',
        MYRAGDB_API_KEY: 'y',
        MYRAGDB_DATADIR: 'z',
        PORTT: '1',
        HOME: '/',
      }),
      ['MYRAGDB_APIKEY', 'MYRAGDB_DATADIR'],
    );
  });
});

describe('secret strength', () => {
  it('scores random strings far above repetitive ones', () => {
    assert.ok(estimateEntropyBits(STRONG_SECRET) > 150);
    assert.ok(estimateEntropyBits('a'.repeat(64)) === 0);
    assert.equal(weakSecretReason(STRONG_SECRET), undefined);
  });
});
