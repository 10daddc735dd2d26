import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyError } from '../../../core/src/errors.js';

export interface ChromaChild {
  url: string;
  /** Settles when the server process ends, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const HEARTBEAT = '/api/v2/heartbeat';

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The CLI script of the installed `chromadb` package, which runs the bundled Chroma server. */
function chromaCli(): string {
  const entry = createRequire(import.meta.url).resolve('chromadb'); // <package>/dist/cjs/chromadb.cjs
  return join(entry.slice(0, entry.lastIndexOf(`${sep}dist${sep}`)), 'dist', 'cli.mjs');
}

/**
 * Loaded into the Chroma child before its CLI. This process holds the write end of the child's stdin, and the kernel
 * closes it however this process ends, SIGKILL included: end-of-input means the parent is gone, and the server is
 * stopped as `stop` would. The CLI runs the server on the main thread without returning to the event loop, so the
 * read blocks in a worker thread of its own.
 */
const PARENT_WATCH = `const fs = require("node:fs");
const buffer = Buffer.alloc(64);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  try {
    if (fs.readSync(0, buffer) === 0) break;
  } catch (error) {
    if (error.code !== "EAGAIN") break;
    Atomics.wait(pause, 0, 0, 500);
  }
}
process.kill(process.pid, "SIGTERM");`;
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  `import { Worker } from "node:worker_threads"; new Worker(${JSON.stringify(PARENT_WATCH)}, { eval: true }).unref();`,
)}`;

/**
 * Starts the Chroma server shipped in the `chromadb` npm package as a child process on a free loopback port, with
 * its data in `dataDir` (so a restart finds its collections), and waits for its heartbeat. `stop` sends SIGTERM,
 * then SIGKILL after 5 s. The server also stops when this process dies without stopping it.
 */
export async function startChromaChild(
  dataDir: string,
  options: { timeoutMs?: number; port?: number } = {},
): Promise<ChromaChild> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freeLoopbackPort());
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      EXIT_WITH_PARENT,
      chromaCli(),
      'run',
      '--path',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
      cwd: dirname(dataDir),
    },
  );
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-2000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // On a normal exit, do not wait for the server to notice its stdin closing.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const alive = await fetch(`${url}${HEARTBEAT}`).then(
      (response) => response.ok,
      () => false,
    );
    if (alive) return { url, exited, stop };
    await sleep(250);
  }
  await stop();
  throw new DependencyError(
    'chroma',
    `the Chroma server did not start: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}`,
  );
}
