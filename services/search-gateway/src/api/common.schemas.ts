import { z } from 'zod';
import { repositoryNameSchema } from '../../../core/src/domain/repository.js';

/** The catalog's own rule (lower-case, URL- and collection-safe), so the API cannot accept a name it would refuse. */
export const RepositoryName = repositoryNameSchema.meta({ id: 'RepositoryName', example: 'payments-service' });

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
