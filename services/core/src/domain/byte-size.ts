import bytes from 'bytes';

/** `bytes.parse` reads a leading number and ignores the rest (`12 parsecs` is 12), so the shape is checked first. */
const BYTE_SIZE = /^\d+(\.\d+)?\s*(b|kb|mb|gb|tb)?$/i;

export const BYTE_SIZE_HINT = 'a size such as 512kb, 10mb or 1048576';

/** A positive whole number of bytes from `10mb`, `512kb` or `1048576`; undefined for anything else. */
export function parseByteSize(value: string): number | undefined {
  const trimmed = value.trim();
  const parsed = BYTE_SIZE.test(trimmed) ? bytes.parse(trimmed) : null;
  return parsed !== null && Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}
