import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.js';
import { parseByteSize } from '../../src/domain/byte-size.js';
import { ConfigError } from '../../src/errors.js';

describe('parseByteSize', () => {
  it('reads plain numbers and units, case-insensitively', () => {
    assert.equal(parseByteSize('1048576'), 1_048_576);
    assert.equal(parseByteSize('512kb'), 512 * 1024);
    assert.equal(parseByteSize(' 10 MB '), 10 * 1024 * 1024);
    assert.equal(parseByteSize('1.5kb'), 1536);
  });

  it('refuses what bytes.parse would half-read, and sizes that are not positive whole bytes', () => {
    for (const bad of ['12 parsecs', '10mbx', 'huge', '', '0', '-5', '0.3b', '1e6']) {
      assert.equal(parseByteSize(bad), undefined, bad);
    }
  });

  it('makes REQUEST_SIZE_LIMIT=12 parsecs a configuration error instead of a 12-byte limit', () => {
    assert.throws(
      () => loadConfig({ REQUEST_SIZE_LIMIT: '12 parsecs' }),
      (error: unknown) => error instanceof ConfigError && /REQUEST_SIZE_LIMIT: must be a size/.test(error.message),
    );
  });
});
