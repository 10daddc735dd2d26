import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { newRepositorySchema, type NewRepository, type RepositorySource } from '../../../core/src/domain/repository.js';
import { readRepositoryStatus } from '../../../core/src/domain/repository-status.js';
import { withCatalogStores } from '../../../core/src/stores/open-stores.js';
import { printJson, type CommandIo, processIo } from './command-io.js';
import { BYTE_SIZE_HINT, parseByteSize } from '../../../core/src/domain/byte-size.js';

const GIT_URL = /^(https|ssh|file):\/\/|^[\w.-]+@[\w.-]+:/;

/** A git URL when it looks like one, otherwise a local directory (relative paths resolve against the cwd). */
export function parseSource(
  value: string,
  ref: string | undefined,
  cwd: string,
  credentials?: { username?: string; token: string },
): RepositorySource {
  if (GIT_URL.test(value))
    return { type: 'git', url: value, ...(ref ? { ref } : {}), ...(credentials ? { credentials } : {}) };
  if (ref || credentials) throw new InvalidArgumentError('--ref and --token-env only apply to git sources');
  return { type: 'local', path: resolve(cwd, value) };
}

export function parseByteSizeOption(value: string): number {
  const parsed = parseByteSize(value);
  if (parsed === undefined) throw new InvalidArgumentError(`must be ${BYTE_SIZE_HINT}`);
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface RepoAddOptions {
  include: string[];
  exclude: string[];
  maxFileSize?: number;
  ref?: string;
  /** Name of the environment variable holding a git token: a token on the command line would land in shell history. */
  tokenEnv?: string;
  username?: string;
  json?: boolean;
}

function gitCredentials(
  options: RepoAddOptions,
  env: NodeJS.ProcessEnv,
): { username?: string; token: string } | undefined {
  if (options.tokenEnv === undefined) {
    if (options.username !== undefined) throw new InvalidArgumentError('--username needs --token-env');
    return undefined;
  }
  const token = env[options.tokenEnv];
  if (!token) throw new InvalidArgumentError(`--token-env: environment variable ${options.tokenEnv} is not set`);
  return { token, ...(options.username ? { username: options.username } : {}) };
}

/** The registration `repo add` sends, validated by the same schema as the HTTP API. */
export function buildNewRepository(
  name: string,
  source: string,
  options: RepoAddOptions,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): NewRepository {
  const parsed = newRepositorySchema.safeParse({
    name,
    source: parseSource(source, options.ref, cwd, gitCredentials(options, env)),
    include: options.include,
    exclude: options.exclude,
    ...(options.maxFileSize !== undefined ? { maxFileBytes: options.maxFileSize } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
    throw new InvalidArgumentError(problems.join('; '));
  }
  return parsed.data;
}

export function repoCommand(io: CommandIo = processIo()): Command {
  const repo = new Command('repo').description('Register repositories and list them');

  repo
    .command('add')
    .description('Register a repository and queue its first sync')
    .argument('<name>', 'unique name: lower-case letters, digits, ".", "_" or "-"')
    .argument('<source>', 'local directory, or git URL (https://, ssh://, file://, user@host:path)')
    .option('--include <glob>', 'index only files matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', collect, [])
    .option('--max-file-size <size>', 'skip larger files, e.g. 512kb or 2mb (default 1mb)', parseByteSizeOption)
    .option('--ref <ref>', 'git branch, tag or commit (git sources)')
    .option('--token-env <variable>', 'environment variable holding an https git token (stored encrypted)')
    .option('--username <name>', 'user name sent with the token (default x-access-token)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, source: string, options: RepoAddOptions) => {
      const input = buildNewRepository(name, source, options, process.cwd(), process.env);
      if (input.source.type === 'local') await assertDirectory(input.source.path);
      const created = await withCatalogStores('myragdb-cli', async (stores) => {
        const repository = await stores.catalog.createRepository(input);
        const { job } = await stores.queue.enqueue(repository.name, 'sync');
        return { name: repository.name, source: describeSource(repository.source), job: { id: job.id } };
      });
      if (options.json) return printJson(io, created);
      io.stdout.write(`Registered ${created.name} (${created.source}); sync job ${created.job.id} queued.\n`);
    });

  repo
    .command('list')
    .description('List repositories with their index status')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }) => {
      const repositories = await withCatalogStores('myragdb-cli', async (stores) => {
        const registered = await stores.catalog.listRepositories();
        return Promise.all(
          registered.map(async (entry) => {
            const { summary } = await readRepositoryStatus(stores.catalog, stores.queue, entry.name);
            return { ...summary, source: describeSource(entry.source) };
          }),
        );
      });
      if (options.json) return printJson(io, { repositories });
      if (repositories.length === 0) {
        io.stdout.write('No repositories. Add one with `myragdb repo add NAME PATH|URL`.\n');
        return;
      }
      const table = new Table({
        style: io.stdout.isTTY ? {} : { head: [], border: [] },
        head: ['name', 'source', 'status', 'files', 'chunks', 'vectors pending', 'last indexed'],
      });
      for (const entry of repositories) {
        table.push([
          entry.name,
          entry.source,
          entry.status,
          entry.files,
          entry.chunks,
          entry.vectorsPending,
          entry.lastIndexedAt ?? '-',
        ]);
      }
      io.stdout.write(`${table.toString()}\n`);
    });

  return repo;
}

async function assertDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new InvalidArgumentError(`${path} is not a directory (nor a git URL)`);
}

function describeSource(source: RepositorySource): string {
  if (source.type === 'local') return source.path;
  return source.ref ? `${source.url}#${source.ref}` : source.url;
}
