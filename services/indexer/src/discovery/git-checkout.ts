import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  gitRefProblem,
  gitUrlProblem,
  repositoryNameSchema,
  type GitCredentials,
} from '../../../core/src/domain/repository.js';
import { SourceUnavailableError, ValidationError } from '../../../core/src/errors.js';

const run = promisify(execFile);

export interface GitSourceSpec {
  url: string;
  /** Branch, tag or commit; the remote's default branch when absent. */
  ref?: string;
  credentials?: GitCredentials;
}

export interface GitCheckoutOptions {
  /** Each repository is checked out in `<workDir>/<repository name>`. */
  workDir: string;
  /** Per git command; a hung remote fails the sync instead of stalling it. */
  timeoutMs?: number;
  /** The git executable; `git` from PATH by default. */
  gitBinary?: string;
}

/** Refuses what git must never be given (see `gitUrlProblem`), before any git command runs. */
export function assertGitUrl(url: string): void {
  const problem = gitUrlProblem(url);
  if (problem) throw new ValidationError(problem);
}

/** Refuses what git must never be given as a ref (see `gitRefProblem`). */
export function assertGitRef(ref: string): void {
  const problem = gitRefProblem(ref);
  if (problem) throw new ValidationError(problem);
}

/**
 * Checks repositories out with the git CLI: the first time `init` + a shallow `fetch --depth 1` of the ref, later
 * the same fetch into the existing directory and a forced checkout, so only the newest commit is ever downloaded.
 * Credentials travel as an `http.extraHeader` through git's environment config, never in argv, URLs or messages;
 * prompts are off and only the https, ssh and file transports are allowed (also for redirects and submodules).
 * Calls for the same repository are serialised.
 */
export function createGitCheckout(options: GitCheckoutOptions) {
  const git = options.gitBinary ?? 'git';
  const timeout = options.timeoutMs ?? 10 * 60_000;
  const running = new Map<string, Promise<string>>();

  const gitEnv = (source: GitSourceSpec): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'false',
      SSH_ASKPASS: 'false',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
      GIT_ALLOW_PROTOCOL: 'https:ssh:file',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_COUNT: '0',
    };
    if (source.credentials) {
      const { username = 'x-access-token', token } = source.credentials;
      const basic = Buffer.from(`${username}:${token}`).toString('base64');
      Object.assign(env, {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      });
    }
    return env;
  };

  const redact = (text: string, source: GitSourceSpec): string => {
    const secrets = source.credentials ? [source.credentials.token] : [];
    return secrets.reduce((out, secret) => out.split(secret).join('***'), text.replace(/\/\/[^/@\s]*@/g, '//***@'));
  };

  const gitIn = async (directory: string, args: string[], source: GitSourceSpec, signal?: AbortSignal) => {
    try {
      await run(git, ['-C', directory, ...args], { env: gitEnv(source), timeout, signal, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
      const detail = failure.killed
        ? `timed out after ${timeout} ms`
        : (failure.stderr ?? '').trim().split('\n').slice(-3).join(' ') || failure.code || failure.message;
      throw new SourceUnavailableError(
        `git ${args[0]} of ${redact(source.url, source)} failed: ${redact(String(detail), source)}`,
      );
    }
  };

  const checkout = async (repository: string, source: GitSourceSpec, signal?: AbortSignal): Promise<string> => {
    const directory = join(options.workDir, repository);
    const fresh = !(await stat(join(directory, '.git')).catch(() => undefined));
    if (fresh) {
      await rm(directory, { recursive: true, force: true });
      await mkdir(directory, { recursive: true });
      await gitIn(directory, ['init', '--quiet'], source, signal);
      await gitIn(directory, ['remote', 'add', 'origin', '--', source.url], source, signal);
    } else {
      await gitIn(directory, ['remote', 'set-url', 'origin', '--', source.url], source, signal);
    }
    const ref = source.ref ?? 'HEAD';
    await gitIn(directory, ['fetch', '--quiet', '--depth', '1', '--no-tags', 'origin', '--', ref], source, signal);
    await gitIn(directory, ['checkout', '--quiet', '--force', '--detach', 'FETCH_HEAD'], source, signal);
    await gitIn(directory, ['clean', '--quiet', '-ffdx'], source, signal);
    return directory;
  };

  return async (repository: string, source: GitSourceSpec, signal?: AbortSignal): Promise<string> => {
    if (!repositoryNameSchema.safeParse(repository).success) throw new ValidationError('invalid repository name');
    assertGitUrl(source.url);
    if (source.ref !== undefined) assertGitRef(source.ref);
    if (source.credentials && !source.url.startsWith('https://')) {
      throw new ValidationError('git credentials are only sent over https');
    }
    const previous = running.get(repository) ?? Promise.resolve('');
    const next = previous.catch(() => '').then(() => checkout(repository, source, signal));
    running.set(repository, next);
    void next
      .finally(() => {
        if (running.get(repository) === next) running.delete(repository);
      })
      .catch(() => undefined);
    return next;
  };
}
