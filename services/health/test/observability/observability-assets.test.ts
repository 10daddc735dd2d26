import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { AlertName } from '../../src/evaluation/alert-rules.js';
import { skipSuite } from '../../../../test/support/skip.js';
import { checkPromql, dashboardExpressions } from './promql-metrics.js';

const execFileAsync = promisify(execFile);
const OBSERVABILITY = new URL('../../observability/', import.meta.url);
const RUNBOOKS = new URL('../../docs/runbooks/', import.meta.url);
const RULES_FILE = new URL('prometheus-rules.yaml', OBSERVABILITY);
const RUNBOOK_PATH = /\/services\/health\/docs\/runbooks\/([A-Za-z]+)\.md$/;
/** Prometheus duration syntax, as in `for:`. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (
  parseYaml(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', OBSERVABILITY), 'utf8')) as {
  uid?: string;
  panels: unknown[];
};

/** The promtool built by build-promtool.sh (or PROMTOOL / PATH), if any. */
function findPromtool(): string | undefined {
  const cached = join(homedir(), '.cache/myragdb-tools/promtool-v0.316.0/promtool');
  const candidates = [
    process.env.PROMTOOL,
    process.env.MYRAGDB_TOOLS_DIR && join(process.env.MYRAGDB_TOOLS_DIR, 'promtool-v0.316.0/promtool'),
    cached,
  ];
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'promtool'));
  return [...candidates, ...onPath].find((path): path is string => typeof path === 'string' && existsSync(path));
}

describe('Prometheus alerting rules (services/health/observability/prometheus-rules.yaml)', () => {
  it('parse as PromQL with Prometheus’ own grammar', () => {
    for (const rule of rules) assert.deepEqual(checkPromql(rule.expr).errors, [], `${rule.alert}: ${rule.expr}`);
  });

  it('have a valid `for`, a known severity, a summary, a description and a runbook that exists', () => {
    for (const rule of rules) {
      assert.match(rule.for ?? '', DURATION, `${rule.alert} for`);
      assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert} severity`);
      assert.ok(rule.annotations?.summary && rule.annotations.description, `${rule.alert} summary/description`);
      const runbook = RUNBOOK_PATH.exec(rule.annotations?.runbook_url ?? '');
      assert.equal(runbook?.[1], rule.alert, `${rule.alert} runbook_url names its own page`);
      const page = readFileSync(new URL(`${rule.alert}.md`, RUNBOOKS), 'utf8');
      for (const section of ['## Checks', '## Resolution'])
        assert.ok(page.includes(section), `${rule.alert}.md ${section}`);
      assert.match(page, /```bash\n/, `${rule.alert}.md has commands`);
    }
  });

  it('cover every alert of the health service’s evaluator, under the same names', () => {
    const names = new Set(rules.map((rule) => rule.alert));
    for (const name of Object.values(AlertName))
      assert.ok(names.has(name), `${name} missing from the Prometheus rules`);
    for (const required of [
      'HighErrorRate',
      'HighMemoryUsage',
      'DatabaseUnavailable',
      'SearchLatencyHigh',
      'IndexingStalled',
    ]) {
      assert.ok(names.has(required), required);
    }
    assert.equal(names.size, rules.length, 'alert names are unique');
  });

  it('a broken expression is caught (the checker is not vacuous)', () => {
    assert.notDeepEqual(checkPromql('sum(rate(myragdb_http_requests_total[5m]) /').errors, []);
    assert.deepEqual(checkPromql('rate(a_total[5m]) / on() b').metrics.sort(), ['a_total', 'b']);
  });

  describe('with promtool', function () {
    let promtool: string | undefined;
    before(function () {
      promtool = findPromtool();
      if (!promtool)
        skipSuite(
          this,
          'promtool not built: run `bash services/health/observability/build-promtool.sh` (or set PROMTOOL)',
        );
    });

    it('`promtool check rules` accepts the file', async () => {
      const { stdout } = await execFileAsync(promtool!, ['check', 'rules', RULES_FILE.pathname]);
      assert.match(stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    });

    it('`promtool test rules` passes: alerts fire after `for`, with their labels and annotations', async () => {
      const { stdout } = await execFileAsync(promtool!, ['test', 'rules', 'prometheus-rules.test.yaml'], {
        cwd: OBSERVABILITY.pathname,
      });
      assert.match(stdout, /SUCCESS/);
    });
  });
});

describe('Grafana dashboard (services/health/observability/grafana-dashboard.json)', () => {
  const expressions = dashboardExpressions(dashboard);

  it('has a stable uid and panels for latency, errors, CPU/memory, DB connections, search and indexing', () => {
    assert.equal(dashboard.uid, 'myragdb-overview');
    const used = new Set(expressions.flatMap(({ expr }) => checkPromql(expr).metrics));
    for (const metric of [
      'myragdb_http_request_duration_seconds_bucket',
      'myragdb_http_requests_total',
      'myragdb_system_cpu_percent',
      'myragdb_system_memory_percent',
      'myragdb_postgres_connections',
      'myragdb_search_duration_seconds_bucket',
      'myragdb_indexing_files_total',
    ]) {
      assert.ok(used.has(metric), `no panel uses ${metric}`);
    }
  });

  it('every panel query parses as PromQL', () => {
    assert.ok(expressions.length > 20);
    for (const { panel, expr } of expressions) assert.deepEqual(checkPromql(expr).errors, [], `${panel}: ${expr}`);
  });
});
