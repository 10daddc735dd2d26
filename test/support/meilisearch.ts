/**
 * Real Meilisearch for tests. Where the server comes from, in order: testcontainers when a Docker engine is reachable;
 * `MEILI_URL` (+ `MEILI_API_KEY`), as `.ci/run` and GitHub CI export; otherwise the Meilisearch binary installed by
 * `../shared/meilisearch/install.sh` (`MEILI_BIN`, or its default location), started once on a free port with a temp
 * data dir and stopped after the run. Without any of them the suite is skipped loudly (pending, never passed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Meilisearch } from 'meilisearch';
import { isDockerReachable } from './docker.js';
import { registerTeardown } from './hooks.js';
import { freePort, waitForHttp } from './ports.js';
import { skipSuite } from './skip.js';

const MEILI_IMAGE = 'getmeili/meilisearch:v1.50.0';
const MASTER_KEY = 'myragdb-test-master-key-0123456789';
/** Where `install.sh` puts the binary when given no directory. */
const INSTALLED_BINARY = join(homedir(), '.cache/meilisearch-1.50.0/meilisearch');

export interface MeiliServer {
  url: string;
  apiKey: string | undefined;
}

/** The Meilisearch binary to start instances from, or undefined when none is installed. */
export function meilisearchBinary(): string | undefined {
  const candidate = process.env.MEILI_BIN ?? INSTALLED_BINARY;
  return existsSync(candidate) ? candidate : undefined;
}

export interface MeilisearchProcess extends MeiliServer {
  readonly apiKey: string;
  readonly port: number;
  readonly dbPath: string;
  readonly process: ChildProcess;
  /** Kills the process (SIGKILL by default: a crash) and waits for it to exit; the data dir stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the process and removes the data dir (unless it was passed in). */
  stop(): Promise<void>;
}

export interface StartMeilisearchOptions {
  /** Reuse a port and data dir, e.g. to restart a killed instance where it was. */
  port?: number;
  dbPath?: string;
  masterKey?: string;
}

/** Starts a Meilisearch process of the caller's own from the installed binary; resolves once /health answers. */
export async function startMeilisearchServer(options: StartMeilisearchOptions = {}): Promise<MeilisearchProcess> {
  const binary = meilisearchBinary();
  if (!binary) throw new Error(`no Meilisearch binary: run ../shared/meilisearch/install.sh or set MEILI_BIN`);
  const ownsDbPath = options.dbPath === undefined;
  const dbPath = options.dbPath ?? (await mkdtemp(join(tmpdir(), 'myragdb-meili-')));
  const port = options.port ?? (await freePort());
  const apiKey = options.masterKey ?? MASTER_KEY;
  const child = spawn(
    binary,
    [
      ...['--db-path', join(dbPath, 'data'), '--dump-dir', join(dbPath, 'dumps')],
      ...['--snapshot-dir', join(dbPath, 'snapshots'), '--http-addr', `127.0.0.1:${port}`],
      ...['--master-key', apiKey, '--env', 'development', '--no-analytics', '--log-level', 'WARN'],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  const stop = async () => {
    await kill('SIGTERM');
    if (ownsDbPath) await rm(dbPath, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, 30_000, () => child.exitCode === null);
  } catch (error) {
    await stop();
    throw new Error(`Meilisearch did not start: ${stderr.trim().split('\n').at(-1) ?? ''}`, { cause: error });
  }
  return { url, apiKey, port, dbPath, process: child, kill, stop };
}

async function startContainer(): Promise<MeiliServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(MEILI_IMAGE)
    .withEnvironment({ MEILI_MASTER_KEY: MASTER_KEY, MEILI_NO_ANALYTICS: 'true' })
    .withExposedPorts(7700)
    .withWaitStrategy(Wait.forHttp('/health', 7700))
    .start();
  registerTeardown(async () => {
    await container.stop();
  });
  return { url: `http://${container.getHost()}:${container.getMappedPort(7700)}`, apiKey: MASTER_KEY };
}

let shared: Promise<MeiliServer | undefined> | undefined;

/** The Meilisearch server this run uses, or undefined when none is reachable or installed. */
export function meilisearchServer(): Promise<MeiliServer | undefined> {
  shared ??= (async () => {
    if (await isDockerReachable()) return startContainer();
    if (process.env.MEILI_URL) return { url: process.env.MEILI_URL, apiKey: process.env.MEILI_API_KEY };
    if (!meilisearchBinary()) return undefined;
    const server = await startMeilisearchServer();
    registerTeardown(server.stop);
    return server;
  })();
  return shared;
}

export function meilisearchClient(server: MeiliServer): Meilisearch {
  return new Meilisearch({ host: server.url, ...(server.apiKey ? { apiKey: server.apiKey } : {}) });
}

/** Deletes every index whose uid starts with `prefix`. */
export async function deleteIndexes(server: MeiliServer, prefix: string): Promise<void> {
  const client = meilisearchClient(server);
  const { results } = await client.getIndexes({ limit: 1000 });
  for (const index of results) {
    if (index.uid.startsWith(prefix)) await client.deleteIndex(index.uid).waitTask();
  }
}

export interface MeilisearchFixture {
  readonly url: string;
  readonly apiKey: string | undefined;
  /** Unique per test: pass it as the adapter's index uid prefix. */
  readonly indexPrefix: string;
}

const NO_SERVER =
  'no Meilisearch server: set MEILI_URL (and MEILI_API_KEY), install one with ../shared/meilisearch/install.sh, ' +
  'or make a Docker engine reachable';

/** Skips the calling suite loudly (from a `before` hook) when no Meilisearch binary is installed. */
export function requireMeilisearchBinary(context: Mocha.Context): void {
  if (!meilisearchBinary()) {
    skipSuite(context, 'no Meilisearch binary: run ../shared/meilisearch/install.sh or set MEILI_BIN');
  }
}

/** Registers hooks in the calling `describe`: skips it loudly without a server, else a unique index prefix per test. */
export function useMeilisearch(): MeilisearchFixture {
  let server: MeiliServer | undefined;
  let indexPrefix: string | undefined;
  before(async function () {
    this.timeout(180_000);
    server = await meilisearchServer();
    if (!server) skipSuite(this, NO_SERVER);
  });
  beforeEach(() => {
    indexPrefix = `t${randomBytes(4).toString('hex')}_`;
  });
  afterEach(async () => {
    if (server && indexPrefix) await deleteIndexes(server, indexPrefix);
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useMeilisearch: ${what} is only available inside tests`);
    return value;
  };
  return {
    get url() {
      return need(server, 'url').url;
    },
    get apiKey() {
      return need(server, 'apiKey').apiKey;
    },
    get indexPrefix() {
      return need(indexPrefix, 'indexPrefix');
    },
  };
}
