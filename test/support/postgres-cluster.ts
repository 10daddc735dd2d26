/**
 * A throwaway PostgreSQL cluster of this test run's own (initdb + pg_ctl in a temp dir, loopback, a free port),
 * for tests that stop and restart the server: never the shared one at PG_URL. Needs the Debian `postgresql`
 * package; as root the server runs as the `postgres` user through runuser.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerTeardown } from './hooks.js';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

export interface PostgresCluster {
  url: string;
  port: number;
  start(): Promise<void>;
  /** Fast shutdown: connections are cut, as when a server goes away. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** The newest PostgreSQL bin dir Debian installed, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const root = await mkdtemp(join(tmpdir(), 'myragdb-pgcluster-'));
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
    const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
    // The server writes its log and socket next to the data dir, so the postgres user owns the whole temp dir.
    await chmod(root, 0o755);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
    await chown(dataDir, Number(stdout.trim()), Number(gid.trim()));
  }
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFileAsync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : execFileAsync(join(bin, tool), args);

  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await run('pg_ctl', ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-o', options, 'start']);
      running = true;
    },
    async stop() {
      await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
  registerTeardown(() => cluster.destroy());
  return cluster;
}
