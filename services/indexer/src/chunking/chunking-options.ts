import { z } from 'zod';

/** Size budget of chunks, in characters. The defaults suit USE-lite and ~1,200-character keyword documents. */
export const chunkingOptionsSchema = z
  .object({
    /** Small neighbours are merged while the result stays within this size. */
    targetChars: z.number().int().min(100).default(1200),
    /** A function or section larger than this is split by lines; a class larger than `targetChars` by member. */
    maxChars: z.number().int().min(100).default(2000),
    /** Lines repeated at the start of the next window when a large node is split by lines. */
    overlapLines: z.number().int().min(0).max(50).default(2),
  })
  .refine((options) => options.maxChars >= options.targetChars, {
    message: 'maxChars must be at least targetChars',
    path: ['maxChars'],
  });

export type ChunkingOptions = z.output<typeof chunkingOptionsSchema>;
export type ChunkingOptionsInput = z.input<typeof chunkingOptionsSchema>;
