/** Git's own test: a NUL byte in the first 8,000 bytes means binary. */
const BINARY_SNIFF_BYTES = 8000;
/** Longer lines than this only come out of minifiers and generators. */
const MINIFIED_LINE_CHARS = 5000;
/** Source code averages well under 100 characters a line; minified text averages thousands. */
const MINIFIED_AVERAGE_LINE_CHARS = 500;

export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Minified or generated text: one very long line, or long lines on average (small files excepted). */
export function looksMinified(content: string): boolean {
  if (content.length < MINIFIED_AVERAGE_LINE_CHARS * 2) return false;
  let lines = 0;
  let start = 0;
  while (start <= content.length) {
    const end = content.indexOf('\n', start);
    const stop = end === -1 ? content.length : end;
    if (stop - start > MINIFIED_LINE_CHARS) return true;
    lines++;
    if (end === -1) break;
    start = end + 1;
  }
  return content.length / lines > MINIFIED_AVERAGE_LINE_CHARS;
}
