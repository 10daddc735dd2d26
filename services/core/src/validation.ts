import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses `input` or throws a ValidationError naming `what`, with zod's readable summary and its issues as details. */
export function parseValid<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(`invalid ${what}: ${z.prettifyError(parsed.error)}`, { details: parsed.error.issues });
  }
  return parsed.data;
}
