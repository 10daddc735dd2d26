/**
 * .github/workflows: valid for actionlint (with ShellCheck on every `run:` script), and every script, file, npm
 * script and Dockerfile target they name exists; CI runs the stores the Meilisearch contract suite needs and the e2e
 * job runs the README's install commands.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { REPO_ROOT, deliveryToolsBinDir } from '../../support/delivery-tools.js';
import { readDockerfile } from './dockerfile-model.js';
import { HELM_INSTALL_COMMANDS, WAIT_READY_COMMAND } from './readme-commands.js';

const WORKFLOWS_DIR = '.github/workflows';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
}
interface Job {
  steps: Step[];
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown> & { include?: Record<string, string>[] } };
}
interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
}

const workflows = (): [string, Workflow][] =>
  readdirSync(path.join(REPO_ROOT, WORKFLOWS_DIR))
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => [file, parse(readFileSync(path.join(REPO_ROOT, WORKFLOWS_DIR, file), 'utf8')) as Workflow]);

/** Repository paths a shell script names (globs allowed), e.g. `bash test/delivery-tools/install.sh`. */
const PATH_IN_SCRIPT =
  /(?<![\w/.$-])((?:\.github|\.ci|test|docker|charts|manifests|services|operator)\/[\w./*-]*[\w*])/g;

function checkoutFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\n')
    .filter(Boolean);
}

describe('GitHub workflows', function () {
  this.timeout(60_000);
  before(function () {
    this.timeout(600_000);
    deliveryToolsBinDir();
  });

  /** actionlint on the given workflow files, with ShellCheck on PATH for their `run:` scripts. */
  function execActionlint(files: string[]): { status: number; output: string } {
    try {
      const output = execFileSync(path.join(deliveryToolsBinDir(), 'actionlint'), ['-no-color', ...files], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${deliveryToolsBinDir()}:${process.env.PATH}` },
        stdio: 'pipe',
      });
      return { status: 0, output };
    } catch (error) {
      const failed = error as { status: number; stdout: string; stderr: string };
      return { status: failed.status, output: failed.stdout + failed.stderr };
    }
  }

  it('actionlint (with ShellCheck) finds nothing in .github/workflows', function () {
    const result = execActionlint(workflows().map(([file]) => path.join(WORKFLOWS_DIR, file)));
    assert.equal(result.status, 0, result.output);
  });

  it('actionlint flags a broken workflow (the check can fail)', function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'myragdb-actionlint-'));
    try {
      mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
      writeFileSync(
        path.join(dir, '.github/workflows/bad.yml'),
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.node }} $UNSET\n',
      );
      const result = execActionlint([path.join(dir, '.github/workflows/bad.yml')]);
      assert.notEqual(result.status, 0);
      assert.match(result.output, /property "node" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every file, npm script and Dockerfile target a workflow names exists', function () {
    const files = checkoutFiles();
    const scripts = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const stages = new Set(readDockerfile().map((stage) => stage.name));
    const exists = (pattern: string) => {
      checked += 1;
      const matches = picomatch(pattern);
      return pattern.includes('*') ? files.some((file) => matches(file)) : existsSync(path.join(REPO_ROOT, pattern));
    };
    const problems: string[] = [];
    let checked = 0;
    for (const [file, workflow] of workflows()) {
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        const where = `${file} job ${jobName}`;
        const matrix = job.strategy?.matrix ?? {};
        const targets = [
          ...((matrix.target as string[] | undefined) ?? []),
          ...(matrix.include ?? []).map((entry) => entry.target).filter((target): target is string => !!target),
        ];
        for (const target of targets)
          if (!stages.has(target)) problems.push(`${where}: no Dockerfile target ${target}`);
        for (const step of job.steps) {
          for (const match of (step.run ?? '').matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)) {
            if (!scripts[match[1]!]) problems.push(`${where}: npm script ${match[1]} does not exist`);
          }
          for (const match of (step.run ?? '').matchAll(PATH_IN_SCRIPT)) {
            if (!exists(match[1]!)) problems.push(`${where}: ${match[1]} does not exist`);
          }
          for (const key of ['file', 'dockerfile', 'trivy-config', 'cache-dependency-path', 'files']) {
            const value = step.with?.[key];
            if (typeof value !== 'string') continue;
            for (const entry of value.split('\n').map((line) => line.trim())) {
              if (!entry || entry.includes('${{') || entry.startsWith('dist-') || entry.startsWith('coverage/'))
                continue;
              if (!exists(entry)) problems.push(`${where}: ${key} ${entry} does not exist`);
            }
          }
          const target = step.with?.target;
          if (typeof target === 'string' && !target.includes('${{') && !stages.has(target))
            problems.push(`${where}: no Dockerfile target ${target}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 15, `only ${checked} paths found in the workflows: is the path pattern still right?`);
  });

  it('CI tests on Node 20, 22 and 24 with PostgreSQL, Meilisearch and Chroma service containers', function () {
    const ci = Object.fromEntries(workflows())['ci.yml']!;
    const test = ci.jobs.test!;
    assert.deepEqual(test.strategy?.matrix.node, [20, 22, 24]);
    assert.deepEqual(Object.keys(test.services ?? {}).sort(), ['chroma', 'meilisearch', 'postgres']);
    for (const variable of ['PG_URL', 'MEILI_URL', 'CHROMA_URL']) assert.ok(test.env?.[variable], variable);
    const runs = test.steps.map((step) => step.run ?? '').join('\n');
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'npm run test:only']) {
      assert.ok(runs.includes(command), `test job runs ${command}`);
    }
    assert.ok(
      test.steps.some((step) => step.uses?.startsWith('codecov/codecov-action')),
      'coverage upload',
    );
  });

  it("the e2e job installs with the README's commands and waits for Ready", function () {
    const e2e = Object.fromEntries(workflows())['ci.yml']!.jobs.e2e!;
    const runs = e2e.steps.map((step) => step.run ?? '').join('\n');
    for (const command of [HELM_INSTALL_COMMANDS[0]!, HELM_INSTALL_COMMANDS[1]!, WAIT_READY_COMMAND]) {
      assert.ok(runs.includes(command), `e2e runs: ${command}`);
    }
    assert.ok(
      e2e.steps.some((step) => step.uses?.startsWith('helm/kind-action')),
      'kind cluster',
    );
    assert.match(runs, /kind load docker-image/);
    assert.match(runs, /search-through-gateway\.sh/);
  });
});
