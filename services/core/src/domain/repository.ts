/**
 * A repository MyRAGDB indexes: a unique name, where its files come from, which files count, and how big a file may
 * be. The zod schemas are the boundary check for every way a repository enters (CLI, HTTP, catalog rows).
 */
import { z } from 'zod';

export const repositoryNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'must be 1-63 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** https, ssh (`ssh://…` or scp-like `user@host:path`) and file URLs; never `ext::` or other git transports. */
const gitUrlSchema = z
  .string()
  .min(1)
  .refine((url) => /^(https|ssh|file):\/\/\S+$/.test(url) || /^[\w.-]+@[\w.-]+:[^\s:][^\s]*$/.test(url), {
    message: 'must be an https://, ssh://, file:// or user@host:path git URL',
  });

export const gitCredentialsSchema = z.strictObject({
  username: z.string().min(1).optional(),
  /** Password or access token. */
  token: z.string().min(1),
});
export type GitCredentials = z.infer<typeof gitCredentialsSchema>;

const SCP_LIKE_GIT_URL = /^\w[\w.-]*@\w[\w.-]*:[^\s:-]\S*$/;

/**
 * Why git would refuse or misuse this URL, or undefined: https, ssh and file URLs only (`ext::`, `fd::` and friends
 * run commands, plain paths bypass shallow fetches), and no credentials in it (they would be stored in plain text).
 */
export function gitUrlProblem(url: string): string | undefined {
  if (SCP_LIKE_GIT_URL.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'git URL must be an https://, ssh://, file:// or user@host:path URL';
  }
  if (!['https:', 'ssh:', 'file:'].includes(parsed.protocol)) {
    return `git URL scheme ${parsed.protocol} is not allowed; use https, ssh or file`;
  }
  if (parsed.password || (parsed.username && parsed.protocol === 'https:')) {
    return 'git URL must not carry credentials; give them as the source credentials';
  }
  return undefined;
}

/** Git's ref rules that matter here, or undefined: no option look-alikes, ranges, whitespace or control characters. */
export function gitRefProblem(ref: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/^[^-\s][^\s\x00-\x1f\x7f~^:?*[\\]*$/.test(ref) || ref.includes('..') || ref.includes('@{')) {
    return `invalid git ref ${JSON.stringify(ref)}: a branch, tag or commit, without a leading "-", "..", "@{", spaces or ~^:?*[\\`;
  }
  return undefined;
}

/**
 * A source as the catalog has it stored: rows written before the stricter checks below still read (and can be
 * listed and deleted); syncing one fails with the reason instead.
 */
export const storedRepositorySourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('local'), path: z.string().startsWith('/', 'must be an absolute path') }),
  z.strictObject({
    type: z.literal('git'),
    url: gitUrlSchema,
    ref: z.string().min(1).optional(),
    credentials: gitCredentialsSchema.optional(),
  }),
]);

/** A source as it may be registered or changed: a git source that could never sync is refused up front. */
export const repositorySourceSchema = storedRepositorySourceSchema.superRefine((source, context) => {
  if (source.type !== 'git') return;
  const urlProblem = gitUrlProblem(source.url);
  if (urlProblem) context.addIssue({ code: 'custom', path: ['url'], message: urlProblem });
  const refProblem = source.ref === undefined ? undefined : gitRefProblem(source.ref);
  if (refProblem) context.addIssue({ code: 'custom', path: ['ref'], message: refProblem });
});
export type RepositorySource = z.infer<typeof repositorySourceSchema>;

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

const globsSchema = z.array(z.string().min(1));
const maxFileBytesSchema = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

export const newRepositorySchema = z.strictObject({
  name: repositoryNameSchema,
  source: repositorySourceSchema,
  include: globsSchema.default([]),
  exclude: globsSchema.default([]),
  maxFileBytes: maxFileBytesSchema.default(DEFAULT_MAX_FILE_BYTES),
});
export type NewRepository = z.input<typeof newRepositorySchema>;

/** Fields left out stay as they are (no defaults here, unlike `newRepositorySchema`). */
export const repositoryUpdateSchema = z.strictObject({
  source: repositorySourceSchema.optional(),
  include: globsSchema.optional(),
  exclude: globsSchema.optional(),
  maxFileBytes: maxFileBytesSchema.optional(),
});
export type RepositoryUpdate = z.input<typeof repositoryUpdateSchema>;

export interface Repository {
  name: string;
  source: RepositorySource;
  include: string[];
  exclude: string[];
  maxFileBytes: number;
  createdAt: Date;
  updatedAt: Date;
  /**
   * Why the source's stored credentials cannot be used (no or another AUTH_ENCRYPTION_KEY): the repository is
   * listed and searchable, but syncing it fails with this message instead of stopping the whole service.
   */
  credentialsUnavailable?: string;
}
