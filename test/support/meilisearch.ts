/**
 * Meilisearch for tests: testcontainers when a Docker engine is reachable; otherwise `MEILI_URL` (+ `MEILI_API_KEY`);
 * otherwise the suite is skipped with a one-line reason (reported as pending, never as passed). No Meilisearch
 * binary is installable on the CI machines, so the skip is the expected outcome there.
 */
import { randomBytes } from 'node:crypto';
import { Meilisearch } from 'meilisearch';
import { isDockerReachable } from './docker.js';
import { registerTeardown } from './hooks.js';
import { skipSuite } from './skip.js';

const MEILI_IMAGE = 'getmeili/meilisearch:v1.15';
const MASTER_KEY = 'myragdb-test-master-key-0123456789';

interface MeiliServer {
  url: string;
  apiKey: string | undefined;
}

let shared: Promise<MeiliServer | undefined> | undefined;

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

/** The Meilisearch server this run uses, or undefined when none is reachable. */
export function meilisearchServer(): Promise<MeiliServer | undefined> {
  shared ??= (async () => {
    if (await isDockerReachable()) return startContainer();
    if (process.env.MEILI_URL) return { url: process.env.MEILI_URL, apiKey: process.env.MEILI_API_KEY };
    return undefined;
  })();
  return shared;
}

export interface MeilisearchFixture {
  readonly url: string;
  readonly apiKey: string | undefined;
  /** Unique per test: pass it as the adapter's index uid prefix. */
  readonly indexPrefix: string;
}

/** Registers hooks in the calling `describe`: skips it loudly without a server, else a unique index prefix per test. */
export function useMeilisearch(): MeilisearchFixture {
  let server: MeiliServer | undefined;
  let indexPrefix: string | undefined;
  before(async function () {
    this.timeout(180_000);
    server = await meilisearchServer();
    if (!server) {
      skipSuite(this, 'no Meilisearch server: set MEILI_URL (and MEILI_API_KEY) or make a Docker engine reachable');
    }
  });
  beforeEach(() => {
    indexPrefix = `t${randomBytes(4).toString('hex')}_`;
  });
  afterEach(async () => {
    if (!server || !indexPrefix) return;
    const client = new Meilisearch({ host: server.url, ...(server.apiKey ? { apiKey: server.apiKey } : {}) });
    const { results } = await client.getIndexes({ limit: 1000 });
    for (const index of results) {
      if (index.uid.startsWith(indexPrefix)) await client.deleteIndex(index.uid).waitTask();
    }
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
