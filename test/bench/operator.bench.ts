/**
 * Operator at scale on the test control plane (real API server, controllers, scheduler; kwok simulates the nodes and
 * pods): BENCH_INSTANCES MyRAGDBs (500) in BENCH_NAMESPACES namespaces (50), created at once, against one operator
 * process (the image's `node dist/operator/src/cmd/main.js`, default flags, no leader election). Reports the time until all are Ready, the
 * operator's peak RSS and CPU, reconciles and API requests per instance, API writes per minute at steady state (a hot
 * loop would show there), and the time until a spec change to all of them is rolled out. Not a test.
 *
 * Instances use external stores (one shared Postgres/Meilisearch/Chroma, as a multi-tenant cluster would) and one
 * gateway replica: 3 Deployments, 5 Services, a ConfigMap, a Secret each (about 1,500 simulated pods).
 *
 * BENCH_FLOOR=1 measures the control plane alone, the floor under any operator's time to Ready: no operator and no
 * MyRAGDB, but every instance's children exactly as the operator's pure builder makes them on a first install
 * (ownerReferences dropped, or the garbage collector would delete them), each applied once, 50 at a time, then timed
 * until every Deployment is available, which is what an instance's Ready waits for.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { KubeClient } from '../../operator/src/kube/kube-client.js';
import { Resources, resourcePath } from '../../operator/src/kube/resources.js';
import { OPERATOR_NODE_OPTIONS } from '../../operator/src/manifests/operator-deployment.js';
import type { MyRAGDB } from '../../operator/src/api/v1alpha1/myragdb.types.js';
import { parseMyRAGDBSpec } from '../../operator/src/api/v1alpha1/myragdb.spec.js';
import { resolveGeneratedSecrets } from '../../operator/src/controller/generated-secrets.js';
import { deploymentStatus } from '../../operator/src/controller/myragdb.status.js';
import type { ObservedObject } from '../../operator/src/controller/observe.js';
import { applyOwned } from '../../operator/src/kube/apply.js';
import { buildDesiredState } from '../../operator/src/specs/desired-state.js';
import { createTestNamespace, freePort, REPO_ROOT, startControlPlane } from '../support/control-plane.js';
import { applyMyRAGDB, installCrd } from '../integration/operator/operator-harness.js';

const instances = Number(process.env.BENCH_INSTANCES ?? 500);
const namespaceCount = Number(process.env.BENCH_NAMESPACES ?? 50);
const readyTimeoutMs = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
const nodes = Math.ceil((instances * 3 * 1.4) / 110);

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * BENCH_KCM_QPS raises kube-controller-manager's client rate limit (upstream default 20/s, burst 30): at 500
 * instances the Deployment and ReplicaSet controllers need thousands of writes, and that limit alone sets a floor
 * on the time to Ready that no operator can go under. Large clusters raise it; the README reports both.
 */
const kcmQps = process.env.BENCH_KCM_QPS;
const cp = await startControlPlane({
  log: process.env.BENCH_VERBOSE ? log : undefined,
  ...(kcmQps ? { controllerManagerArgs: [`--kube-api-qps=${kcmQps}`, `--kube-api-burst=${Number(kcmQps) * 2}`] } : {}),
});
const client = new KubeClient(cp.kubeConfig);
let operator: ReturnType<typeof spawn> | undefined;
try {
  log(
    `control plane ${cp.version} up in ${cp.startSeconds.toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}; ` +
      `controller-manager client ${kcmQps ? `${kcmQps} qps` : 'default 20 qps'}`,
  );
  await installCrd(client);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  // More simulated nodes: kwok's default one takes 110 pods.
  for (let index = 1; index < nodes; index++) {
    const name = `kwok-node-${index}`;
    const capacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await core.createNode({
      body: {
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
        },
        status: { allocatable: capacity, capacity },
      },
    });
  }
  const namespaces: string[] = [];
  for (let index = 0; index < namespaceCount; index++) {
    const namespace = await createTestNamespace(cp.kubeConfig, `bench-${index}`);
    await client.request({
      method: 'POST',
      path: resourcePath(Resources.Secret, namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'stores' },
        stringData: { password: 'p', 'api-key': 'k' },
      },
    });
    namespaces.push(namespace);
  }
  const spec = (syncInterval: string) => ({
    searchGateway: { replicas: 1 },
    indexer: { syncInterval },
    stores: {
      postgres: { external: { url: 'postgres://myragdb@pg.shared:5432/myragdb', secretRef: { name: 'stores' } } },
      meilisearch: { external: { url: 'http://meili.shared:7700', secretRef: { name: 'stores', key: 'api-key' } } },
      chroma: { external: { url: 'http://chroma.shared:8000' } },
    },
  });
  const targets = Array.from({ length: instances }, (_, index) => ({
    namespace: namespaces[index % namespaceCount]!,
    name: `search-${index}`,
  }));

  if (process.env.BENCH_FLOOR === '1') {
    await measureFloor(targets, spec('5m'));
  } else {
    const metricsPort = await freePort();
    operator = spawn(
      process.execPath,
      [
        // What the operator image runs (`npm run bench:operator` builds it first): compiled JS, no tsx in memory,
        // with the Deployment's NODE_OPTIONS.
        path.join(REPO_ROOT, 'dist', 'operator', 'src', 'cmd', 'main.js'),
        '--kubeconfig',
        cp.kubeconfigPath,
        '--no-leader-elect',
        '--probe-address',
        `127.0.0.1:${metricsPort}`,
      ],
      {
        env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', NODE_OPTIONS: OPERATOR_NODE_OPTIONS },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const pid = operator.pid!;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    for (let attempt = 0; ; attempt++) {
      if ((await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined))?.ok) break;
      if (operator.exitCode !== null) throw new Error(`the operator exited with ${operator.exitCode}`);
      // Its start alone takes 5-20 s on a busy 2-core machine (tsx compiles the sources).
      if (attempt > 600) throw new Error('the operator did not become ready in 5 minutes');
      await sleep(500);
    }

    const clockTicks = 100;
    const cpuSeconds = () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks;
    };
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 250);

    const scrape = async () => {
      const text = await (await fetch(metricsUrl)).text();
      const sum = (pattern: RegExp) =>
        text
          .split('\n')
          .filter((line) => pattern.test(line))
          .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
      return {
        reconciles: sum(/^controller_runtime_reconcile_total\{/),
        requests: sum(/^rest_client_requests_total\{/),
        writes: sum(/^rest_client_requests_total\{method="(POST|PUT|PATCH|DELETE)"/),
      };
    };

    const allReady = async (generation: (resource: MyRAGDB) => boolean, since: number) => {
      for (;;) {
        const list = await client.get<{ items: MyRAGDB[] }>('/apis/myragdb.io/v1alpha1/myragdbs');
        const ready = list.items.filter(
          (resource) =>
            generation(resource) &&
            resource.status?.observedGeneration === resource.metadata.generation &&
            resource.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
        ).length;
        if (ready === instances) return (performance.now() - since) / 1000;
        if (performance.now() - since > readyTimeoutMs) throw new Error(`only ${ready}/${instances} Ready in time`);
        await sleep(1000);
      }
    };

    log(`${instances} MyRAGDBs in ${namespaceCount} namespaces on ${nodes} simulated nodes: creating`);
    const limit = pLimit(50);
    const cpuBefore = cpuSeconds();
    const created = performance.now();
    await Promise.all(
      targets.map((target) =>
        limit(() => applyMyRAGDB(client, target.namespace, { metadata: { name: target.name }, spec: spec('5m') })),
      ),
    );
    const createSeconds = (performance.now() - created) / 1000;
    const readySeconds = await allReady(() => true, created);
    const afterReady = await scrape();
    const cpuToReady = cpuSeconds() - cpuBefore;
    log(`all Ready after ${readySeconds.toFixed(1)} s (creation requests took ${createSeconds.toFixed(1)} s)`);

    // Steady state: let the last events drain, then count writes for a minute.
    await sleep(15_000);
    const steadyStart = await scrape();
    const steadyCpu = cpuSeconds();
    await sleep(60_000);
    const steadyEnd = await scrape();
    const steadyWrites = steadyEnd.writes - steadyStart.writes;
    const steadyCpuPercent = ((cpuSeconds() - steadyCpu) / 60) * 100;
    log(`steady state: ${steadyWrites} writes in 60 s, ${steadyEnd.requests - steadyStart.requests} requests`);

    // A spec change to all of them (the sync interval: a ConfigMap change that rolls every service).
    const changed = performance.now();
    const generations = new Map<string, number>();
    await Promise.all(
      targets.map((target) =>
        limit(async () => {
          const updated = await applyMyRAGDB(client, target.namespace, {
            metadata: { name: target.name },
            spec: spec('10m'),
          });
          generations.set(`${target.namespace}/${target.name}`, updated.metadata.generation!);
        }),
      ),
    );
    const changeSeconds = await allReady(
      (resource) =>
        resource.metadata.generation! >= generations.get(`${resource.metadata.namespace}/${resource.metadata.name}`)!,
      changed,
    );
    const final = await scrape();
    clearInterval(sampler);
    log(`spec change rolled out in ${changeSeconds.toFixed(1)} s`);

    const rows = [
      ['instances / namespaces / simulated nodes', `${instances} / ${namespaceCount} / ${nodes}`],
      ['all Ready after creation (target <= 60 s)', `${readySeconds.toFixed(1)} s`],
      ['operator peak RSS (target <= 250 MB)', `${peakRss.toFixed(0)} MB`],
      [
        'operator CPU until all Ready',
        `${cpuToReady.toFixed(1)} s (${((cpuToReady / readySeconds) * 100).toFixed(0)}% of a core)`,
      ],
      ['reconciles per instance until Ready', (afterReady.reconciles / instances).toFixed(1)],
      ['API requests per instance until Ready', (afterReady.requests / instances).toFixed(1)],
      ['API writes per minute at steady state (target 0)', String(steadyWrites)],
      ['operator CPU at steady state', `${steadyCpuPercent.toFixed(1)}% of a core`],
      ['spec change to all, until all Ready again', `${changeSeconds.toFixed(1)} s`],
      [
        'reconciles / API requests per instance for the change',
        `${((final.reconciles - steadyEnd.reconciles) / instances).toFixed(1)} / ${((final.requests - steadyEnd.requests) / instances).toFixed(1)}`,
      ],
    ];
    console.log(
      `\n| measure | result |\n| --- | --- |\n${rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}`,
    );
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}`,
  );
} finally {
  operator?.kill('SIGTERM');
  await cp.stop();
}

/** The control plane's own time for every instance's children (BENCH_FLOOR=1, see the top of this file). */
async function measureFloor(targets: ReadonlyArray<{ namespace: string; name: string }>, rawSpec: unknown) {
  const parsed = parseMyRAGDBSpec(rawSpec);
  if (!parsed.ok) throw new Error(parsed.message);
  const children = targets.flatMap((target) => {
    const owner = { ...target, uid: randomUUID() };
    return buildDesiredState({
      owner,
      spec: parsed.spec,
      secrets: resolveGeneratedSecrets(owner, new Map()),
      observed: { storeTemplateSizes: {} },
    }).map((object) => ({ owner, object: { ...object, metadata: { ...object.metadata, ownerReferences: [] } } }));
  });
  const deployments = children.filter(({ object }) => object.kind === 'Deployment').length;
  const kinds = [...new Set(children.map(({ object }) => object.kind))].join(', ');
  log(`${children.length} children (${kinds}) of ${targets.length} instances, no operator: applying`);
  const limit = pLimit(50);
  const started = performance.now();
  await Promise.all(children.map(({ owner, object }) => limit(() => applyOwned(client, owner, object))));
  const appliedSeconds = (performance.now() - started) / 1000;
  log(`applied in ${appliedSeconds.toFixed(1)} s; waiting for ${deployments} Deployments to be available`);
  for (;;) {
    const list = await client.get<{ items: ObservedObject[] }>('/apis/apps/v1/deployments');
    // The operator's own test of a Deployment, the one an instance's Ready waits for.
    const available = list.items.filter((item) => deploymentStatus(item).ready).length;
    const seconds = (performance.now() - started) / 1000;
    if (available >= deployments) {
      console.log(
        `\n| measure (no operator) | result |\n| --- | --- |\n` +
          `| children applied (${children.length} objects, 50 at a time) | ${appliedSeconds.toFixed(1)} s |\n` +
          `| every Deployment available (${deployments}) | ${seconds.toFixed(1)} s |`,
      );
      return;
    }
    if (seconds * 1000 > readyTimeoutMs) throw new Error(`only ${available}/${deployments} Deployments available`);
    await sleep(1000);
  }
}
