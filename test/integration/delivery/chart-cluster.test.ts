/**
 * The chart, the plain manifests and the samples against the real API server of the test control plane: every
 * rendered object passes a strict server-side dry-run apply (unknown fields are errors), and the README's install
 * commands run as written (helm install, kubectl apply -f manifests/install.yaml, then the minimal sample).
 */
import { strict as assert } from 'node:assert';
import { closeSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { stringify } from 'yaml';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  createTestNamespace,
  deleteTestNamespace,
  useControlPlane,
  type ControlPlane,
} from '../../support/control-plane.js';
import { REPO_ROOT, deliveryToolsBinDir, runTool, type ToolResult } from '../../support/delivery-tools.js';
import { freePort, waitForHttp } from '../../support/ports.js';
import { createTestDatabase, postgresServerUrl } from '../../support/postgres.js';
import { chromaUrl } from '../../support/chroma.js';
import {
  CHART_DIR,
  INSTALL_NAMESPACE,
  RELEASE_NAME,
  VALUE_SETS,
  helmTemplate,
} from '../../delivery-tools/delivery-manifests.js';
import { HELM_INSTALL_COMMANDS, PLAIN_INSTALL_COMMANDS, WAIT_READY_COMMAND } from './readme-commands.js';
import { parseObjects, validateWithModels } from './rendered-objects.js';

/** Kinds whose CRDs (Prometheus Operator) the control plane does not have: validated with their models instead. */
const NOT_SERVED = new Set(['ServiceMonitor', 'PrometheusRule']);

describe('Chart and manifests on the real API server', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  const run = (tool: 'helm' | 'kubectl', args: string[], input?: string, timeoutMs?: number): ToolResult =>
    runTool(tool, args, {
      env: {
        KUBECONFIG: cp.kubeconfigPath,
        HELM_CACHE_HOME: helmHome,
        HELM_CONFIG_HOME: helmHome,
        HELM_DATA_HOME: helmHome,
      },
      ...(input === undefined ? {} : { input }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  const ok = (tool: 'helm' | 'kubectl', args: string[], input?: string): string => {
    const result = run(tool, args, input);
    assert.equal(result.status, 0, `${tool} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  /** Runs one README command line as written (its first word picks the tool). */
  const readmeCommand = (line: string): string => {
    const [tool, ...args] = line.split(' ');
    assert.ok(tool === 'helm' || tool === 'kubectl', `unexpected README command ${line}`);
    return ok(tool, args);
  };
  const dryRun = (objects: object[]): ToolResult =>
    run(
      'kubectl',
      ['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=delivery-test', '-f', '-'],
      objects.map((object) => `---\n${stringify(object)}`).join(''),
    );
  let helmHome: string;

  before(async function () {
    this.timeout(600_000);
    deliveryToolsBinDir();
    cp = await useControlPlane(this);
    helmHome = path.join(cp.workDir, 'helm');
    ok('kubectl', ['apply', '--server-side', '-f', `${CHART_DIR}/crds/`]);
    ok('kubectl', ['wait', '--for=condition=Established', 'crd/myragdbs.myragdb.io', '--timeout=60s']);
  });

  it('a strict server-side dry-run rejects an unknown field (the check below can fail)', async function () {
    const namespace = await createTestNamespace(cp.kubeConfig, 'delivery-strict');
    try {
      const result = dryRun([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace }, datta: {} }]);
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /\.datta: field not declared in schema/);
    } finally {
      await deleteTestNamespace(cp.kubeConfig, namespace);
    }
  });

  for (const [name, args] of Object.entries(VALUE_SETS)) {
    it(`every object rendered with ${name} values passes a strict server-side dry-run`, async function () {
      const namespace = await createTestNamespace(cp.kubeConfig, `delivery-${name}`);
      try {
        const objects = parseObjects(helmTemplate([...args, '--namespace', namespace]));
        const served = objects.filter((object) => !NOT_SERVED.has(object.kind));
        for (const object of objects.filter((candidate) => NOT_SERVED.has(candidate.kind))) {
          await validateWithModels(object);
        }
        const result = dryRun(served);
        assert.equal(result.status, 0, result.stderr);
        const applied = result.stdout.trim().split('\n');
        assert.equal(applied.length, served.length, result.stdout);
        assert.ok(
          applied.every((line) => /serverside-applied \(server dry run\)$/.test(line)),
          result.stdout,
        );
      } finally {
        await deleteTestNamespace(cp.kubeConfig, namespace);
      }
    });
  }

  it('every sample in manifests/samples passes a strict server-side dry-run', async function () {
    const namespace = await createTestNamespace(cp.kubeConfig, 'delivery-samples');
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const created: string[] = [];
    try {
      for (const file of readdirSync(path.join(REPO_ROOT, 'manifests/samples'))) {
        const objects = parseObjects(readFileSync(path.join(REPO_ROOT, 'manifests/samples', file), 'utf8'));
        for (const object of objects) {
          // A sample that names its namespace is dry-run there (created for the test when missing).
          const target = object.metadata.namespace ?? namespace;
          if (object.metadata.namespace && !created.includes(target)) {
            const exists = await core.readNamespace({ name: target }).then(
              () => true,
              () => false,
            );
            if (!exists) {
              await core.createNamespace({ body: { metadata: { name: target } } });
              created.push(target);
            }
          }
          const result = dryRun([{ ...object, metadata: { ...object.metadata, namespace: target } }]);
          assert.equal(result.status, 0, `${file}: ${result.stderr}`);
        }
      }
    } finally {
      await deleteTestNamespace(cp.kubeConfig, namespace);
      for (const name of created) await deleteTestNamespace(cp.kubeConfig, name);
    }
  });

  describe('the README install commands, as written', function () {
    this.timeout(300_000);
    const waitForNamespaceGone = async () => {
      const core = cp.kubeConfig.makeApiClient(CoreV1Api);
      const deadline = Date.now() + 120_000;
      while (
        await core.readNamespace({ name: INSTALL_NAMESPACE }).then(
          () => true,
          () => false,
        )
      ) {
        assert.ok(Date.now() < deadline, `namespace ${INSTALL_NAMESPACE} still terminating after 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const assertInstalled = () => {
      const deployment = JSON.parse(
        ok('kubectl', ['-n', INSTALL_NAMESPACE, 'get', 'deployment/myragdb-operator', '-o', 'json']),
      ) as { status: { readyReplicas?: number } };
      assert.equal(deployment.status.readyReplicas, 2, 'both operator replicas ready (pods simulated by kwok)');
      const sample = JSON.parse(ok('kubectl', ['-n', INSTALL_NAMESPACE, 'get', 'myragdb/docs', '-o', 'json'])) as {
        spec: { repositories: { name: string }[]; deletionPolicy: string };
      };
      // The API server applied the CRD's defaults to the sample.
      assert.equal(sample.spec.repositories[0]!.name, 'myragdb');
      assert.equal(sample.spec.deletionPolicy, 'Retain');
    };

    beforeEach(waitForNamespaceGone);

    /**
     * The operator as the installed Deployment describes it (its arguments, its ServiceAccount's token, so the chart's
     * RBAC), run from this checkout because the control plane has no kubelet to run the image. It takes the minimal
     * sample to Ready (kwok simulates the pods; PersistentVolumes stand in for a provisioner), which the README's
     * `kubectl wait` command, run as written, then observes. The instance's gateway pods are simulated and the operator
     * runs outside the cluster network, so a real search gateway started here with the instance's API key answers its
     * repository calls (`--gateway-url`, the one argument added to the Deployment's).
     */
    /** The API key the operator generated into the sample's credentials Secret (operator/src/specs/secrets.specs.ts). */
    async function eventuallyApiKey(): Promise<string> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const result = run('kubectl', [
          '-n',
          INSTALL_NAMESPACE,
          'get',
          'secret/docs-app-credentials',
          '-o',
          'jsonpath={.data.api-key}',
        ]);
        if (result.status === 0 && result.stdout) return Buffer.from(result.stdout, 'base64').toString('utf8');
        assert.ok(Date.now() < deadline, `no API key from the operator: ${result.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }

    async function waitReadyWithInstalledOperator(): Promise<void> {
      const deployment = JSON.parse(
        ok('kubectl', ['-n', INSTALL_NAMESPACE, 'get', 'deployment/myragdb-operator', '-o', 'json']),
      ) as {
        spec: {
          template: {
            spec: {
              serviceAccountName: string;
              containers: { command: string[]; args: string[]; env: { name: string; value: string }[] }[];
            };
          };
        };
      };
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0]!;
      // In the image `node dist/services/cli/src/main.js operator run`; in a checkout the CLI's launcher runs it.
      assert.deepEqual(container.command.slice(-2), ['operator', 'run']);
      const token = ok('kubectl', ['-n', INSTALL_NAMESPACE, 'create', 'token', pod.serviceAccountName]).trim();
      const serviceAccount = new KubeConfig();
      serviceAccount.loadFromOptions({
        clusters: [{ ...cp.kubeConfig.getCurrentCluster()!, name: 'control-plane' }],
        users: [{ name: pod.serviceAccountName, token }],
        contexts: [{ name: 'operator', cluster: 'control-plane', user: pod.serviceAccountName }],
        currentContext: 'operator',
      });
      const kubeconfig = path.join(cp.workDir, 'delivery-operator.kubeconfig');
      writeFileSync(kubeconfig, serviceAccount.exportConfig());
      const port = await freePort();
      const args = container.args.map((arg) =>
        arg.startsWith('--probe-address=') ? `--probe-address=127.0.0.1:${port}` : arg,
      );
      const log = path.join(cp.workDir, 'delivery-operator.log');
      const logFd = openSync(log, 'w');
      const gatewayPort = await freePort();
      const operator = spawn(
        process.execPath,
        [
          'services/cli/bin/myragdb.js',
          'operator',
          'run',
          ...args,
          '--kubeconfig',
          kubeconfig,
          '--gateway-url',
          `http://127.0.0.1:${gatewayPort}`,
        ],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...Object.fromEntries(container.env.map((entry) => [entry.name, entry.value])) },
          stdio: ['ignore', logFd, logFd],
        },
      );
      closeSync(logFd);
      const volumes = ['postgres', 'meilisearch', 'chroma'].map((store) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `delivery-${store}-${port}` },
        spec: {
          capacity: { storage: '20Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: `/tmp/delivery-${store}-${port}` },
          persistentVolumeReclaimPolicy: 'Delete',
        },
      }));
      ok('kubectl', ['apply', '-f', '-'], volumes.map((volume) => `---\n${stringify(volume)}`).join(''));
      const database = await createTestDatabase(await postgresServerUrl());
      let gateway: ReturnType<typeof spawn> | undefined;
      try {
        const apiKey = await eventuallyApiKey();
        gateway = spawn(process.execPath, ['--import', 'tsx', 'services/search-gateway/src/main.ts'], {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            PORT: String(gatewayPort),
            HOST: '127.0.0.1',
            DATABASE_URL: database.url,
            CHROMA_URL: await chromaUrl(),
            MYRAGDB_API_KEY: apiKey,
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        await waitForHttp(
          `http://127.0.0.1:${gatewayPort}/api/v1/health/live`,
          60_000,
          () => gateway!.exitCode === null,
        );
        const result = run('kubectl', WAIT_READY_COMMAND.split(' ').slice(1), undefined, 120_000);
        assert.equal(result.status, 0, `${result.stderr}\noperator log:\n${readFileSync(log, 'utf8').slice(-4000)}`);
        assert.match(result.stdout, /myragdb.myragdb.io\/docs condition met/);
        // Deleting the sample needs the running operator (it holds a finalizer until the Retain policy is done).
        ok('kubectl', ['delete', '-n', INSTALL_NAMESPACE, 'myragdb/docs', '--timeout=60s']);
      } finally {
        // A sample left behind would hold its namespace in Terminating without the operator to lift its finalizer.
        run('kubectl', [
          '-n',
          INSTALL_NAMESPACE,
          'patch',
          'myragdb/docs',
          '--type=merge',
          '-p',
          '{"metadata":{"finalizers":null}}',
        ]);
        operator.kill('SIGTERM');
        gateway?.kill('SIGTERM');
        await new Promise((resolve) => operator.once('exit', resolve));
        await database.drop();
        run('kubectl', [
          'delete',
          'persistentvolume',
          ...volumes.map((volume) => volume.metadata.name),
          '--wait=false',
        ]);
      }
    }

    /** The README's minimal sample, which both install tests apply. */
    const deleteSample = () =>
      run('kubectl', [
        'delete',
        '-n',
        INSTALL_NAMESPACE,
        '-f',
        'manifests/samples/myragdb-minimal.yaml',
        '--wait=false',
      ]);

    it('helm install, rollout status, the minimal sample, then wait for Ready', async function () {
      try {
        for (const line of HELM_INSTALL_COMMANDS) readmeCommand(line);
        assertInstalled();
        await waitReadyWithInstalledOperator();
        const status = ok('helm', ['status', RELEASE_NAME, '--namespace', INSTALL_NAMESPACE]);
        assert.match(status, /STATUS: deployed/);
        assert.match(status, /rollout status deployment\/myragdb-operator/, 'NOTES.txt tells what to do next');
      } finally {
        deleteSample();
        run('helm', ['uninstall', RELEASE_NAME, '--namespace', INSTALL_NAMESPACE, '--wait']);
        run('kubectl', ['delete', 'namespace', INSTALL_NAMESPACE, '--wait=false']);
      }
    });

    it('kubectl apply of manifests/crds and manifests/install.yaml, rollout status, the sample, then wait for Ready', async function () {
      try {
        for (const line of PLAIN_INSTALL_COMMANDS) readmeCommand(line);
        assertInstalled();
        await waitReadyWithInstalledOperator();
      } finally {
        deleteSample();
        run('kubectl', ['delete', '-f', 'manifests/install.yaml', '--wait=false']);
      }
    });

    it('the README shows exactly these commands', function () {
      const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      if (!/^## Kubernetes/m.test(readme)) {
        console.log('    !!! SKIPPED: README.md has no "## Kubernetes" section yet, nothing to compare !!!');
        this.skip();
      }
      for (const line of [...HELM_INSTALL_COMMANDS, ...PLAIN_INSTALL_COMMANDS, WAIT_READY_COMMAND]) {
        assert.ok(readme.includes(line), `README.md lacks the tested command: ${line}`);
      }
    });
  });
});
