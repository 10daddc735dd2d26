import assert from 'node:assert/strict';
import { looksBinary, looksMinified } from '../../src/discovery/content-sniffing.js';

describe('content sniffing', () => {
  it('calls bytes with a NUL in the first 8,000 binary', () => {
    assert.equal(looksBinary(new TextEncoder().encode('plain text\n')), false);
    assert.equal(looksBinary(new Uint8Array([80, 75, 3, 4, 0])), true);
    const lateNul = new Uint8Array(9000).fill(97);
    lateNul[8500] = 0;
    assert.equal(looksBinary(lateNul), false);
  });

  it('calls text minified by one very long line or a long average line', () => {
    const code = Array.from({ length: 200 }, (_, index) => `  const value${index} = compute(${index});`).join('\n');
    assert.equal(looksMinified(code), false);
    assert.equal(looksMinified(`${code}\nvar x="${'a'.repeat(6000)}";`), true);
    assert.equal(looksMinified(Array.from({ length: 5 }, () => 'b'.repeat(900)).join('\n')), true);
    assert.equal(looksMinified('short'), false);
  });
});
