/**
 * A small real repository on disk for indexing tests: TypeScript with a class and methods, Python, markdown with
 * headings, plus what discovery must leave out (an ignored file, node_modules, a binary, an oversized file and a
 * symlink escaping the root). Line numbers below are what the chunker must report; tests read them from here.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { registerTeardown } from './hooks.js';

export const ROUTER_TS = `import { parseQuery } from './query';

export interface Request {
  path: string;
  query: string;
}

export class Router {
  private readonly routes = new Map<string, (request: Request) => string>();

  /**
   * Registers a handler for an exact path. A later registration for the same path replaces the earlier one, so
   * configuration can override defaults without removing them first. Paths are matched verbatim: no patterns, no
   * trailing-slash normalisation, no case folding, which keeps routing predictable for the callers that rely on it.
   */
  use(path: string, handler: (request: Request) => string): void {
    if (!path.startsWith('/')) throw new Error(\`route paths start with a slash: \${path}\`);
    this.routes.set(path, handler);
  }

  /**
   * Dispatches a request to the handler registered for its path. The query string is parsed once here and handed
   * to the handler as JSON, so handlers never parse it themselves; an unknown path answers "not found" rather than
   * throwing, because a miss is an expected outcome for a router and not an error of the caller.
   */
  handle(request: Request): string {
    const handler = this.routes.get(request.path);
    if (!handler) return 'not found';
    const params = parseQuery(request.query);
    return handler({ ...request, query: JSON.stringify(params) });
  }
}
`;

export const QUERY_TS = `/**
 * Splits a query string into its decoded parameters. A leading question mark is ignored, empty pairs are skipped,
 * a key without a value maps to the empty string, and when a key repeats the last value wins, as most servers do.
 * Keys and values are percent-decoded; a malformed escape throws URIError so the caller can answer 400.
 */
export function parseQuery(query: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of query.replace(/^\\?/, '').split('&')) {
    if (!pair) continue;
    const [key, value = ''] = pair.split('=');
    params[decodeURIComponent(key!)] = decodeURIComponent(value.replace(/\\+/g, ' '));
  }
  return params;
}

/**
 * Builds a query string from parameters: the inverse of parseQuery for every input parseQuery produces. Keys are
 * emitted in insertion order so the output is stable for caching and signatures, and both keys and values are
 * percent-encoded with encodeURIComponent so reserved characters survive the round trip unchanged.
 */
export function formatQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => \`\${encodeURIComponent(key)}=\${encodeURIComponent(value)}\`)
    .join('&');
}
`;

export const USERS_PY = `class UserDirectory:
    """Looks users up by id."""

    def __init__(self, users):
        self.users = users

    def get_user_name(self, user_id):
        user = self.users.get(user_id)
        return user["name"] if user else None


def retry_with_backoff(call, attempts=3):
    for attempt in range(attempts):
        try:
            return call()
        except IOError:
            if attempt == attempts - 1:
                raise
`;

export const GUIDE_MD = `# Payments guide

How payments move through the system.

## Retries

Failed charges are retried with exponential backoff, three times at most.

## Refunds

Refunds are issued against the original charge id.
`;

/** Files discovery indexes, by path. */
export const INDEXED_FILES: Readonly<Record<string, string>> = {
  'src/router.ts': ROUTER_TS,
  'src/query.ts': QUERY_TS,
  'lib/users.py': USERS_PY,
  'docs/guide.md': GUIDE_MD,
};

export interface FixtureRepository {
  root: string;
  write(path: string, content: string | Buffer): Promise<void>;
  remove(path: string): Promise<void>;
}

/** Creates the fixture in a fresh temp dir, removed after the run. `maxFileBytes` of the repository should be 64 KB. */
export async function createFixtureRepository(): Promise<FixtureRepository> {
  const root = await mkdtemp(join(tmpdir(), 'myragdb-fixture-'));
  registerTeardown(() => rm(root, { recursive: true, force: true }));
  const write = async (path: string, content: string | Buffer) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  };
  for (const [path, content] of Object.entries(INDEXED_FILES)) await write(path, content);
  await write('.gitignore', 'ignored.txt\n');
  await write('ignored.txt', 'never indexed\n');
  await write('node_modules/left-pad/index.js', 'module.exports = (s) => s;\n');
  await write('assets/logo.dat', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02, 0x00]));
  await write('data/huge.txt', 'line\n'.repeat(20_000));
  await symlink('/etc', join(root, 'escape'));
  return { root, write, remove: (path) => rm(join(root, path), { force: true }) };
}
