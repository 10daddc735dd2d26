import { useEffect, useRef, useState } from 'preact/hooks';
import { type ActivityPoint, api, type HealthReport, type Job } from '../api.js';
import type { ChartSpec } from '../charts.js';
import { ErrorNotice } from '../components/notices.js';
import { formatDateTime, formatRelative } from '../format.js';

const RANGES = [
  { hours: 1, label: 'Last hour' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 168, label: 'Last 7 days' },
];
const REFRESH_MS = 15_000;

const CHARTS: ChartSpec[] = [
  {
    title: 'Searches per step',
    unit: '',
    series: [
      { label: 'searches', value: (point) => point.searches, color: '#2f6fdd' },
      { label: 'degraded', value: (point) => point.degraded, color: '#c27c0e' },
    ],
  },
  {
    title: 'Latency (ms, upper bucket bound)',
    unit: 'ms',
    series: [
      { label: 'p50', value: (point) => point.p50Ms, color: '#2a9d5c' },
      { label: 'p95', value: (point) => point.p95Ms, color: '#b94ad6' },
    ],
  },
  {
    title: 'Failed searches (%)',
    unit: '%',
    series: [
      {
        label: 'failed',
        value: (point) => (point.searches ? Math.round((point.failures / point.searches) * 1000) / 10 : null),
        color: '#d33c3c',
      },
    ],
  },
];

export function HealthPage() {
  const [report, setReport] = useState<HealthReport>();
  const [reportError, setReportError] = useState<unknown>();
  const [jobs, setJobs] = useState<Job[]>();
  const [hours, setHours] = useState(1);
  const [activity, setActivity] = useState<{ stepMinutes: number; points: ActivityPoint[] }>();
  const [activityError, setActivityError] = useState<unknown>();

  useEffect(() => void (document.title = 'Health · MyRAGDB'), []);
  useEffect(() => {
    let stopped = false;
    const load = () => {
      api.health().then(
        (value) => !stopped && (setReport(value), setReportError(undefined)),
        (error: unknown) => !stopped && setReportError(error),
      );
      api.jobs(15).then(
        (value) => !stopped && setJobs(value.jobs),
        () => undefined,
      );
      api.activity(hours).then(
        (value) => !stopped && (setActivity(value), setActivityError(undefined)),
        (error: unknown) => !stopped && setActivityError(error),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [hours]);

  return (
    <section class="page health-page">
      <h1>Health</h1>
      {reportError !== undefined && <ErrorNotice error={reportError} />}
      {report && <Report report={report} />}

      <section aria-labelledby="activity-title">
        <div class="section-head">
          <h2 id="activity-title">Search activity</h2>
          <label>
            <span class="visually-hidden">Time range</span>
            <select value={hours} onChange={(event) => setHours(Number(event.currentTarget.value))}>
              {RANGES.map((range) => (
                <option key={range.hours} value={range.hours}>
                  {range.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {activityError !== undefined && <ErrorNotice error={activityError} />}
        {activity && <ActivityCharts points={activity.points} stepMinutes={activity.stepMinutes} />}
      </section>

      <section aria-labelledby="jobs-title">
        <h2 id="jobs-title">Recent indexing jobs</h2>
        {jobs && jobs.length === 0 && <p>No indexing jobs yet.</p>}
        {jobs && jobs.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Repository</th>
                  <th scope="col">Kind</th>
                  <th scope="col">State</th>
                  <th scope="col">Queued</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <tr key={job.id}>
                    <th scope="row">{job.repository}</th>
                    <td>{job.kind}</td>
                    <td>
                      <span class={`status status-${job.state}`}>{job.state}</span>
                    </td>
                    <td title={formatDateTime(job.createdAt)}>{formatRelative(job.createdAt)}</td>
                    <td title={formatDateTime(job.finishedAt)}>
                      {job.finishedAt ? formatRelative(job.finishedAt) : '—'}
                    </td>
                    <td>{job.error?.message ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}

function Report({ report }: { report: HealthReport }) {
  const metrics = report.system_metrics;
  return (
    <>
      <p class={`overall status-${report.status}`}>
        MyRAGDB is <strong>{report.status}</strong>{' '}
        <span class="muted">· checked {formatRelative(report.timestamp)}</span>
      </p>
      {report.alerts.length > 0 && (
        <section aria-labelledby="alerts-title">
          <h2 id="alerts-title">Alerts</h2>
          <ul class="alerts">
            {report.alerts.map((alert) => (
              <li key={alert.name} class={`notice ${alert.severity === 'critical' ? 'error' : 'warn'}`}>
                <strong>
                  {alert.severity}: {alert.name}
                </strong>{' '}
                {alert.message} <span class="muted">(since {formatRelative(alert.since)})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="components-title">
        <h2 id="components-title">Components</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Latency
                </th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {report.components.map((component) => (
                <tr key={component.name}>
                  <th scope="row">
                    {component.name} <span class="muted">{component.kind}</span>
                  </th>
                  <td>
                    <span class={`status status-${component.status}`}>{component.status}</span>
                  </td>
                  <td class="num">{component.latency_ms === null ? '—' : `${Math.round(component.latency_ms)} ms`}</td>
                  <td>{component.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <dl class="metrics">
        <div>
          <dt>CPU</dt>
          <dd>{metrics.cpu_percent.toFixed(0)} %</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>{metrics.memory_percent.toFixed(0)} %</dd>
        </div>
        <div>
          <dt>Disk</dt>
          <dd>{metrics.disk_percent.toFixed(0)} %</dd>
        </div>
      </dl>
    </>
  );
}

function ActivityCharts({ points, stepMinutes }: { points: ActivityPoint[]; stepMinutes: number }) {
  const containers = useRef<Array<HTMLDivElement | null>>([]);
  const total = points.reduce((sum, point) => sum + point.searches, 0);
  const failed = points.reduce((sum, point) => sum + point.failures, 0);
  useEffect(() => {
    let cleanups: Array<() => void> = [];
    let cancelled = false;
    void import('../charts.js').then(({ drawChart }) => {
      if (cancelled) return;
      cleanups = CHARTS.map((spec, index) => drawChart(containers.current[index]!, spec, points));
    });
    return () => {
      cancelled = true;
      cleanups.forEach((cleanup) => cleanup());
    };
  }, [points]);
  return (
    <>
      <p class="muted">
        {total} searches, {failed} failed · one point per {stepMinutes === 1 ? 'minute' : `${stepMinutes} minutes`}
      </p>
      <div class="charts">
        {CHARTS.map((spec, index) => (
          <figure key={spec.title} class="chart">
            <div
              ref={(element) => void (containers.current[index] = element)}
              role="img"
              aria-label={`${spec.title} chart`}
            />
          </figure>
        ))}
      </div>
    </>
  );
}
