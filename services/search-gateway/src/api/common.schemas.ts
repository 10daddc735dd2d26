import { z } from 'zod';

/** Repository names appear in URLs, collection names and file paths, so they are kept to a safe alphabet. */
export const RepositoryName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit')
  .meta({ id: 'RepositoryName', example: 'payments-service' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      request_id: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error response: a stable code, a message safe to show, the request id.' });
