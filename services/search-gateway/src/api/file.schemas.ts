import { z } from 'zod';
import { RepositoryName } from './common.schemas.js';

const LineNumber = z.coerce.number().int().min(1).max(10_000_000);

export const FileParams = z.object({
  repository: RepositoryName,
  // Express hands a multi-segment wildcard over as its decoded segments; they are rejoined before validation.
  path: z
    .preprocess((value) => (Array.isArray(value) ? value.join('/') : value), z.string().min(1).max(4096))
    .describe('POSIX path relative to the repository root; may contain "/".'),
});

export const FileQuery = z.strictObject({
  start: LineNumber.optional().describe('First line, 1-based (default 1).'),
  end: LineNumber.optional().describe('Last line, inclusive (default: start + 1999, capped at the end of the file).'),
});

export const FileContent = z
  .object({
    repository: z.string(),
    path: z.string(),
    language: z.string().optional(),
    startLine: z.int().min(1),
    endLine: z.int().min(0),
    totalLines: z.int().min(0),
    content: z.string(),
  })
  .meta({ id: 'FileContent' });
export type FileContent = z.infer<typeof FileContent>;
