/**
 * A real redis-server for tests (Debian's `redis-server` package, which `.ci/run` installs): a new server on a free
 * loopback port per call, without persistence, so a test may pause or kill it. Missing binary: a clear error, not a skip.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGSTOP: the server keeps its connections and answers nothing (a hung Redis). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export async function startRedisServer(options: { port?: number; password?: string } = {}): Promise<RedisServer> {
  try {
    execFileSync(BINARY, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${BINARY} not found: install Debian's redis-server package (.ci/run does) or set REDIS_SERVER_BIN`,
    );
  }
  const listenPort = options.port ?? (await freePort());
  const child = spawn(
    BINARY,
    [
      ...['--port', String(listenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...['--loglevel', 'warning', ...(options.password ? ['--requirepass', options.password] : [])],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  };
  for (let attempt = 0; !(await answers(listenPort)); attempt++) {
    if (attempt > 100 || child.exitCode !== null) {
      await stop();
      throw new Error(`redis-server did not start on port ${listenPort}: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${listenPort}`,
    port: listenPort,
    process: child,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop,
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end('PING\r\n');
    });
    // A server with a password answers -NOAUTH: up all the same.
    socket.once('data', (data) => resolve(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    socket.once('error', () => resolve(false));
  });
}
