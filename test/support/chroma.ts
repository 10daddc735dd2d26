/**
 * Real Chroma for tests. Where the server comes from, in order: testcontainers when a Docker engine is reachable;
 * `CHROMA_URL`; otherwise the Chroma server shipped in the `chromadb` npm package, started once on a free port with a
 * temp data dir and stopped after the run. Each test gets a unique collection prefix; its collections are deleted after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { isDockerReachable } from './docker.js';
import { registerTeardown } from './hooks.js';
import { freePort, waitForHttp } from './ports.js';
// Collections MyRAGDB made name this embedding function; registering it keeps listing them quiet.
import '../../services/core/src/adapters/vector-index/external-vectors.embedding-function.js';

const CHROMA_IMAGE = 'chromadb/chroma:1.0.15';
const HEARTBEAT = '/api/v2/heartbeat';

export interface ChromaServer {
  url: string;
  /** Set when this run started the server itself. */
  port?: number;
  dataDir?: string;
  /** The child process, when this run started the server itself. */
  process?: ChildProcess;
  stop(): Promise<void>;
}

function chromaCliPath(): string {
  return join(
    createRequire(import.meta.url)
      .resolve('chromadb')
      .split('/dist/')[0] ?? '',
    'dist/cli.mjs',
  );
}

/**
 * Starts the npm-packaged Chroma server on a free loopback port with a fresh data dir. Always a new server; with
 * `port` and `dataDir` it restarts one that was killed, on its data (the caller then removes the dir).
 */
export async function startChromaServer(options: { port?: number; dataDir?: string } = {}): Promise<ChromaServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'myragdb-chroma-')));
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [chromaCliPath(), 'run', '--path', dataDir, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killTimer);
    }
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}${HEARTBEAT}`, 60_000, () => child.exitCode === null);
  } catch (error) {
    await stop();
    throw new Error(`Chroma server did not start: ${stderr.trim().split('\n').at(-1) ?? ''}`, { cause: error });
  }
  return { url, port, dataDir, process: child, stop };
}

async function startContainer(): Promise<ChromaServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CHROMA_IMAGE)
    .withExposedPorts(8000)
    .withWaitStrategy(Wait.forHttp(HEARTBEAT, 8000))
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(8000)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

let shared: Promise<string> | undefined;

/** URL of the Chroma server this run uses (started on first call, stopped after the run when started here). */
export function chromaUrl(): Promise<string> {
  shared ??= (async () => {
    const docker = await isDockerReachable();
    if (!docker && process.env.CHROMA_URL) return process.env.CHROMA_URL;
    const server = docker ? await startContainer() : await startChromaServer();
    registerTeardown(server.stop);
    return server.url;
  })();
  return shared;
}

export interface ChromaFixture {
  readonly url: string;
  /** Unique per test: pass it as the adapter's collection prefix. */
  readonly collectionPrefix: string;
  readonly client: ChromaClient;
}

export function chromaClient(url: string): ChromaClient {
  const parsed = new URL(url);
  return new ChromaClient({
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    ssl: parsed.protocol === 'https:',
  });
}

/** Deletes every collection whose name starts with `prefix`. */
export async function deleteCollections(client: ChromaClient, prefix: string): Promise<void> {
  const collections = await client.listCollections({ limit: 10_000 });
  for (const collection of collections) {
    if (collection.name.startsWith(prefix)) await client.deleteCollection({ name: collection.name });
  }
}

/** Registers hooks in the calling `describe`: a Chroma server plus a fresh collection prefix per test. */
export function useChroma(): ChromaFixture {
  let url: string | undefined;
  let client: ChromaClient | undefined;
  let collectionPrefix: string | undefined;
  before(async function () {
    this.timeout(120_000);
    url = await chromaUrl();
    client = chromaClient(url);
  });
  beforeEach(() => {
    collectionPrefix = `t${randomBytes(4).toString('hex')}_`;
  });
  afterEach(async () => {
    if (client && collectionPrefix) await deleteCollections(client, collectionPrefix);
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useChroma: ${what} is only available inside tests`);
    return value;
  };
  return {
    get url() {
      return need(url, 'url');
    },
    get client() {
      return need(client, 'client');
    },
    get collectionPrefix() {
      return need(collectionPrefix, 'collectionPrefix');
    },
  };
}
