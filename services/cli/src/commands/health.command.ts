import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { healthReportSchema, HealthStatus, type HealthReport } from '../../../core/src/domain/health-report.js';

/** Where `myragdb up` serves the health service: the gateway's default port + 1. */
export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:3003';

/** Exit codes, so scripts can branch on the verdict without parsing: 0 healthy, 1 degraded, 2 unhealthy, 3 no report. */
export const HealthExitCode = { healthy: 0, degraded: 1, unhealthy: 2, unreachable: 3 } as const;

type Colors = ReturnType<typeof pc.createColors>;

function paintStatus(colors: Colors, status: string): string {
  if (status === HealthStatus.HEALTHY) return colors.green(status);
  if (status === HealthStatus.DEGRADED) return colors.yellow(status);
  return colors.red(status);
}

/** The report as a terminal page: verdict, system metrics, a component table and the firing alerts. */
export function renderHealthReport(report: HealthReport, color: boolean): string {
  const colors = pc.createColors(color);
  const lines = [
    `${colors.bold('MyRAGDB health:')} ${paintStatus(colors, report.status)}  ${colors.dim(report.timestamp)}`,
    `CPU ${report.system_metrics.cpu_percent}%  memory ${report.system_metrics.memory_percent}%  disk ${report.system_metrics.disk_percent}%`,
  ];
  const table = new Table({
    head: ['component', 'status', 'latency', 'message'],
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    wordWrap: true,
    colWidths: [null, null, null, 60],
  });
  for (const component of report.components) {
    table.push([
      component.name,
      paintStatus(colors, component.status),
      component.latency_ms === null ? '-' : `${component.latency_ms} ms`,
      component.message,
    ]);
  }
  lines.push(table.toString());
  if (report.alerts.length === 0) {
    lines.push(colors.green('No alerts firing.'));
  } else {
    lines.push(colors.bold(`Alerts (${report.alerts.length}):`));
    for (const alert of report.alerts) {
      const severity = alert.severity === 'critical' ? colors.red(alert.severity) : colors.yellow(alert.severity);
      lines.push(`  ${severity} ${colors.bold(alert.name)} since ${alert.since}: ${alert.message}`);
    }
  }
  return lines.join('\n');
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new InvalidArgumentError('must be a positive number of milliseconds');
  return ms;
}

export interface HealthCommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  setExitCode(code: number): void;
}

async function fetchReport(baseUrl: string, timeoutMs: number): Promise<HealthReport> {
  const url = new URL('/api/v1/health', baseUrl);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    // undici says only "fetch failed"; the reason (ECONNREFUSED, timeout…) is in the cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new Error(`cannot reach ${url.href}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause: error,
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`${url.href} answered HTTP ${response.status} without a JSON body`, { cause: error });
  }
  const parsed = healthReportSchema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`${url.href} answered HTTP ${response.status} with something that is not a health report`);
  }
  return parsed.data;
}

export function healthCommand(
  io: HealthCommandIo = { stdout: process.stdout, stderr: process.stderr, setExitCode: (c) => (process.exitCode = c) },
): Command {
  return new Command('health')
    .description('Print the health report of a MyRAGDB deployment (components, system metrics, alerts)')
    .option('--json', 'print the report as JSON, exactly as GET /api/v1/health returns it')
    .addOption(
      new Option('--url <url>', 'base URL of the health service').env('MYRAGDB_HEALTH_URL').default(DEFAULT_HEALTH_URL),
    )
    .addOption(new Option('--timeout <ms>', 'how long to wait for the report').default(10_000).argParser(parseTimeout))
    .action(async (options: { json?: boolean; url: string; timeout: number }) => {
      let report: HealthReport;
      try {
        report = await fetchReport(options.url, options.timeout);
      } catch (error) {
        io.stderr.write(`myragdb health: ${error instanceof Error ? error.message : String(error)}\n`);
        io.setExitCode(HealthExitCode.unreachable);
        return;
      }
      io.stdout.write(
        options.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${renderHealthReport(report, io.stdout.isTTY === true)}\n`,
      );
      io.setExitCode(HealthExitCode[report.status]);
    });
}
