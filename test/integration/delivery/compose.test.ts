/**
 * docker/compose.yaml: resolved by the Compose loader (compose-spec/compose-go, what `docker compose config` runs;
 * also `docker compose config` itself where the docker CLI has its compose plugin), then checked against the
 * Dockerfile targets and the services' own config schema.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { REPO_ROOT, deliveryToolsBinDir, runTool } from '../../support/delivery-tools.js';
import { effectiveStage, readDockerfile } from './dockerfile-model.js';

const COMPOSE_FILE = 'docker/compose.yaml';
const STORES = { postgres: /^postgres:\d+/, meilisearch: /^getmeili\/meilisearch:v\d/, chroma: /^chromadb\/chroma:\d/ };

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  volumes?: { type: string; source?: string; target: string }[];
  tmpfs?: string[];
  read_only?: boolean;
  user?: string;
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

function dockerComposePlugin(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Local development stack (docker/compose.yaml)', function () {
  this.timeout(60_000);
  let project: ComposeProject;

  before(function () {
    this.timeout(600_000);
    deliveryToolsBinDir();
    const result = runTool('compose-config', [COMPOSE_FILE]);
    assert.equal(result.status, 0, result.stderr);
    project = parse(result.stdout) as ComposeProject;
  });

  it('`docker compose config` passes where the compose plugin exists', function () {
    if (!dockerComposePlugin()) {
      console.log(
        '    !!! SKIPPED: this docker CLI has no compose plugin; compose-go (its loader) checked the file !!!',
      );
      this.skip();
    }
    execFileSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], { cwd: REPO_ROOT, stdio: 'pipe' });
  });

  it('the loader rejects a broken file with a clear message (the check can fail)', function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'myragdb-compose-'));
    try {
      const file = path.join(dir, 'compose.yaml');
      writeFileSync(file, 'services:\n  gateway:\n    image: x\n    depends_on: [database]\n');
      const result = runTool('compose-config', [file]);
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /depends on undefined service "database"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs real PostgreSQL, Meilisearch and Chroma images with healthchecks and named volumes', function () {
    for (const [name, image] of Object.entries(STORES)) {
      const service = project.services[name];
      assert.ok(service, `service ${name}`);
      assert.match(service.image ?? '', image);
      assert.ok(service.healthcheck?.test.length, `${name} healthcheck`);
      const named = (service.volumes ?? []).filter((volume) => volume.type === 'volume');
      assert.ok(named.length > 0, `${name} keeps its data in a named volume`);
      for (const volume of named) assert.ok(volume.source! in project.volumes, `volume ${volume.source} declared`);
    }
  });

  it('builds each MyRAGDB service from a Dockerfile target, hardened, healthchecked, after healthy stores', function () {
    const stages = readDockerfile();
    const built = Object.entries(project.services).filter(([, service]) => service.build);
    assert.deepEqual(built.map(([name]) => name).sort(), ['health', 'indexer', 'search-gateway']);
    for (const [name, service] of built) {
      assert.equal(path.relative(REPO_ROOT, service.build!.context), '');
      assert.equal(service.build!.dockerfile, 'docker/Dockerfile');
      const stage = effectiveStage(stages, service.build!.target!);
      assert.equal(service.read_only, true, `${name} read-only root`);
      assert.deepEqual(service.tmpfs, ['/tmp']);
      assert.equal(service.user, stage.user);
      const script = service.healthcheck!.test[2];
      assert.ok(
        stage.copies.some((copy) => copy.destination === script),
        `${name} healthcheck runs ${script}, which the image has`,
      );
      assert.equal(service.depends_on?.postgres?.condition, 'service_healthy');
      for (const volume of (service.volumes ?? []).filter((entry) => entry.type === 'volume')) {
        assert.equal(volume.target, stage.env.MYRAGDB_DATA_DIR, `${name} volume on the data dir`);
      }
    }
  });

  it("each MyRAGDB service's environment (image ENV + compose) passes the services' config schema", function () {
    const stages = readDockerfile();
    for (const [name, service] of Object.entries(project.services).filter(([, candidate]) => candidate.build)) {
      const env = { ...effectiveStage(stages, service.build!.target!).env } as Record<string, string | undefined>;
      for (const [key, value] of Object.entries(service.environment ?? {})) env[key] = value ?? undefined;
      assert.doesNotThrow(() => loadConfig(env), `${name}: ${JSON.stringify(service.environment)}`);
      assert.equal(env.KEYWORD_ENGINE, 'meilisearch', `${name} uses the Meilisearch container`);
    }
  });
});
