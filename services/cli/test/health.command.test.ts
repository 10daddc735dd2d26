import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../core/src/config/load-config.js';
import type { HealthReport } from '../../core/src/domain/health-report.js';
import { createMetrics } from '../../core/src/metrics.js';
import { captureLogger } from '../../core/test/support/capture-logger.js';
import { createApp } from '../../health/src/app.js';
import { freePort } from '../../../test/support/ports.js';
import { HealthExitCode, healthCommand, renderHealthReport } from '../src/commands/health.command.js';
import { createHttpServer } from '../../core/src/http/server.js';

const report: HealthReport = {
  status: 'degraded',
  timestamp: '2026-11-26T07:00:00.000Z',
  system_metrics: { cpu_percent: 12.5, memory_percent: 40, disk_percent: 70.1 },
  components: [
    {
      name: 'postgres',
      kind: 'postgres',
      status: 'healthy',
      message: 'reachable',
      latency_ms: 2.1,
      checked_at: '2026-11-26T07:00:00.000Z',
    },
    {
      name: 'chroma',
      kind: 'vector-store',
      status: 'unhealthy',
      message: 'ECONNREFUSED',
      latency_ms: 1,
      checked_at: '2026-11-26T07:00:00.000Z',
    },
  ],
  alerts: [
    {
      name: 'SearchStoreUnavailable',
      severity: 'warning',
      message: 'chroma is unreachable',
      since: '2026-11-26T06:55:00.000Z',
    },
  ],
};

const ESC = '\u001b';
const NOTHING_LISTENING = Symbol('nothing listening');

/**
 * Runs `myragdb health …` against a real health app whose last round is `served` (undefined: no round yet), or
 * against a closed port; captures output and exit code.
 */
async function run(args: string[], served: HealthReport | undefined | typeof NOTHING_LISTENING) {
  let server: Server | undefined;
  let url = `http://127.0.0.1:${await freePort()}`;
  if (served !== NOTHING_LISTENING) {
    const app = createApp({
      config: loadConfig({}),
      logger: captureLogger({ level: 'error' }).logger,
      metrics: createMetrics('health'),
      latestReport: () => served,
    });
    server = createHttpServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  let exitCode: number | undefined;
  try {
    await healthCommand({ stdout, stderr, setExitCode: (code) => (exitCode = code) }).parseAsync(
      [...args, '--url', url],
      {
        from: 'user',
      },
    );
  } finally {
    server?.close();
  }
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

describe('myragdb health', () => {
  it('prints the report as a table with the alerts, and exits 1 when degraded', async () => {
    const result = await run([], report);
    assert.equal(result.exitCode, HealthExitCode.degraded);
    assert.match(result.stdout, /MyRAGDB health: degraded/);
    assert.match(result.stdout, /chroma\s+│ unhealthy │ 1 ms\s+│ ECONNREFUSED/);
    assert.match(result.stdout, /warning SearchStoreUnavailable since 2026-11-26T06:55:00.000Z: chroma is unreachable/);
    assert.ok(!result.stdout.includes(`${ESC}[`), 'no colours when stdout is not a TTY');
  });

  it('colours statuses on a TTY', () => {
    assert.ok(renderHealthReport(report, true).includes(`${ESC}[33mdegraded${ESC}[39m`));
  });

  it('--json prints exactly the served document', async () => {
    const result = await run(['--json'], { ...report, status: 'healthy', alerts: [] });
    assert.deepEqual(JSON.parse(result.stdout), { ...report, status: 'healthy', alerts: [] });
    assert.equal(result.exitCode, HealthExitCode.healthy);
  });

  it('exits 2 on an unhealthy report (the service answers 503 with a report)', async () => {
    const result = await run([], undefined); // no round yet: the service reports unhealthy
    assert.equal(result.exitCode, HealthExitCode.unhealthy);
    assert.match(result.stdout, /no probe round has completed yet/);
  });

  it('exits 3 with the reason when the service is unreachable', async () => {
    const result = await run([], NOTHING_LISTENING);
    assert.equal(result.exitCode, HealthExitCode.unreachable);
    assert.match(
      result.stderr,
      /myragdb health: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/health: .*ECONNREFUSED/,
    );
  });

  it('exits 3 when the answer is not a health report', async () => {
    const server = createHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stderr = new PassThrough();
    let message = '';
    stderr.on('data', (chunk: Buffer) => (message += chunk.toString()));
    let exitCode: number | undefined;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await healthCommand({ stdout: new PassThrough(), stderr, setExitCode: (code) => (exitCode = code) }).parseAsync(
      ['--url', url],
      { from: 'user' },
    );
    server.close();
    assert.equal(exitCode, HealthExitCode.unreachable);
    assert.match(message, /not a health report/);
  });
});
