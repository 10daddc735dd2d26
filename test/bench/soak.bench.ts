/**
 * `npm run bench:soak`: `myragdb up` as a user runs it (its own process, PGlite, a Chroma child, the default
 * embedder), indexing a folder (this repository's `services/` unless `--path`), then `--clients` (16) concurrent
 * clients of mixed traffic for `--seconds` (600): hybrid/keyword/semantic searches (60 %), line ranges of files the
 * searches returned (25 %) and MCP `search_code` calls (15 %). Prints per kind the requests, errors (>= 500 or no
 * answer) and p50/p95/p99 latency, and the resident memory of `up` and its Chroma child every `--sample` seconds, so
 * growth under constant load shows; then, after `--idle` (60) seconds without a request, the CPU time `up` and its
 * child spent and their memory. A benchmark, not a test: it asserts nothing.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { z } from 'zod';
import { freePort } from '../support/ports.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../services/cli/bin/myragdb.js', import.meta.url));
const QUERIES = [
  'retry a failed request with backoff',
  'where are api keys verified',
  'reciprocal rank fusion of two result lists',
  'split source code into chunks by symbol',
  'circuit breaker for a store',
  'parse environment variables into config',
  'rate limit per client ip',
  'reconcile the custom resource into children',
  'walk a directory and skip ignored files',
  'embed text in worker threads',
  'createGatewayRuntime',
  'parseOrThrow',
  'SearchService',
  'chunkId',
  'translateSqlError',
  'startLocalMode',
];
const MODES = ['hybrid', 'keyword', 'semantic'] as const;

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: fileURLToPath(new URL('../../services', import.meta.url)) },
    seconds: { type: 'string', default: '600' },
    clients: { type: 'string', default: '16' },
    sample: { type: 'string', default: '30' },
    idle: { type: 'string', default: '60' },
  },
});
const options = z
  .object({
    path: z.string().min(1),
    seconds: z.coerce.number().int().min(10),
    clients: z.coerce.number().int().min(1).max(256),
    sample: z.coerce.number().int().min(1),
    idle: z.coerce.number().int().min(0),
  })
  .parse(values);

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;

type Kind = 'search' | 'file' | 'mcp';
interface Sample {
  kind: Kind;
  ms: number;
  status: number;
}

/** Resident memory in MB of a process and of its direct children (the Chroma server), from /proc. */
async function residentMb(pid: number): Promise<{ up: number; children: number }> {
  const rss = async (id: number) => {
    const status = await readFile(`/proc/${id}/status`, 'utf8').catch(() => '');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  };
  let children = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesised command name) is the parent pid.
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children += await rss(Number(entry));
  }
  return { up: await rss(pid), children };
}

/** CPU time in seconds (user + system) of a process and its direct children (the Chroma server), from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const ticks = async (id: number) => {
    const stat = await readFile(`/proc/${id}/stat`, 'utf8').catch(() => '');
    // After the parenthesised command name: state, ppid, ..., utime (14th field) and stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), used: Number(fields[11] ?? 0) + Number(fields[12] ?? 0) };
  };
  let total = (await ticks(pid)).used;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    const child = await ticks(Number(entry));
    if (child.parent === pid) total += child.used;
  }
  return total / CLOCK_TICKS_PER_SECOND;
}

async function startUp(folder: string, dataDir: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'up', folder, '--port', String(port), '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + 30 * 60_000;
  while (!/Indexed: /.test(output)) {
    if (child.exitCode !== null) throw new Error(`myragdb up exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`myragdb up did not finish indexing:\n${output}`);
    await new Promise((done) => setTimeout(done, 500));
  }
  const url = /running at (http:\/\/\S+)/.exec(output)?.[1];
  const key = /Admin API key: (mrdb_\S+)/.exec(output)?.[1];
  if (!url || !key) throw new Error(`no URL or key in the output of myragdb up:\n${output}`);
  return { child, url, key };
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'myragdb-soak-'));
  const started = performance.now();
  const up = await startUp(resolve(options.path), dataDir);
  console.log(`indexed ${options.path} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const headers = { Authorization: `Bearer ${up.key}`, 'Content-Type': 'application/json' };
  const files: { repository: string; path: string; startLine: number; endLine: number }[] = [];
  const samples: Sample[] = [];
  const memory: { second: number; up: number; children: number }[] = [];
  const soakStarted = performance.now();
  const deadline = soakStarted + options.seconds * 1000;

  const timed = async (kind: Kind, request: () => Promise<Response>) => {
    const begun = performance.now();
    const status = await request().then(
      async (response) => {
        if (kind === 'search' && response.ok) {
          const body = (await response.json()) as { results: (typeof files)[number][] };
          if (files.length < 500) files.push(...body.results.slice(0, 3));
        } else await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    samples.push({ kind, ms: performance.now() - begun, status });
  };

  const client = async (index: number) => {
    for (let turn = index; performance.now() < deadline; turn += 1) {
      const roll = (turn * 7919) % 100;
      const query = QUERIES[turn % QUERIES.length]!;
      if (roll < 60 || files.length === 0) {
        const mode = MODES[turn % MODES.length]!;
        await timed('search', () =>
          fetch(`${up.url}/api/v1/search`, { method: 'POST', headers, body: JSON.stringify({ query, mode }) }),
        );
      } else if (roll < 85) {
        const file = files[turn % files.length]!;
        const path = file.path.split('/').map(encodeURIComponent).join('/');
        await timed('file', () =>
          fetch(`${up.url}/api/v1/files/${file.repository}/${path}?start=${file.startLine}&end=${file.endLine}`, {
            headers,
          }),
        );
      } else {
        await timed('mcp', () =>
          fetch(`${up.url}/mcp`, {
            method: 'POST',
            headers: { ...headers, Accept: 'application/json, text/event-stream' },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: turn,
              method: 'tools/call',
              params: { name: 'search_code', arguments: { query, limit: 5 } },
            }),
          }),
        );
      }
    }
  };

  const sampler = (async () => {
    while (performance.now() < deadline) {
      memory.push({
        second: Math.round((performance.now() - soakStarted) / 1000),
        ...(await residentMb(up.child.pid!)),
      });
      await new Promise((done) => setTimeout(done, options.sample * 1000));
    }
    memory.push({ second: Math.round((performance.now() - soakStarted) / 1000), ...(await residentMb(up.child.pid!)) });
  })();
  await Promise.all([...Array.from({ length: options.clients }, (_, index) => client(index)), sampler]);

  const lines = [
    `${options.clients} clients for ${options.seconds} s against \`myragdb up\` on ${options.path}:`,
    '',
    '| kind | requests | errors (>= 500 or no answer) | 4xx | p50 ms | p95 ms | p99 ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const kind of ['search', 'file', 'mcp', 'all'] as const) {
    const mine = samples.filter((sample) => kind === 'all' || sample.kind === kind);
    const sorted = mine.map((sample) => sample.ms).sort((a, b) => a - b);
    const errors = mine.filter((sample) => sample.status === 0 || sample.status >= 500).length;
    const refused = mine.filter((sample) => sample.status >= 400 && sample.status < 500).length;
    lines.push(
      `| ${kind} | ${mine.length} | ${errors} | ${refused} | ${[0.5, 0.95, 0.99].map((share) => percentile(sorted, share).toFixed(1)).join(' | ')} |`,
    );
  }
  lines.push('', '| second | `up` RSS MB | Chroma child RSS MB |', '|---|---|---|');
  for (const point of memory) lines.push(`| ${point.second} | ${point.up.toFixed(0)} | ${point.children.toFixed(0)} |`);
  console.log(lines.join('\n'));

  if (options.idle > 0) {
    // Idle: no request at all. What `up` and its Chroma child still spend is background work (timers, polling).
    const before = await cpuSeconds(up.child.pid!);
    await new Promise((done) => setTimeout(done, options.idle * 1000));
    const used = (await cpuSeconds(up.child.pid!)) - before;
    const resident = await residentMb(up.child.pid!);
    console.log(
      `\nIdle for ${options.idle} s after the load: ${used.toFixed(2)} CPU-seconds (${((used / options.idle) * 100).toFixed(2)} % of one core), ` +
        `\`up\` RSS ${resident.up.toFixed(0)} MB, Chroma child ${resident.children.toFixed(0)} MB.`,
    );
  }

  up.child.kill('SIGINT');
  await new Promise((done) => up.child.once('exit', done));
  await rm(dataDir, { recursive: true, force: true });
}

await main();
