/**
 * Shared steps of the operator integration suites: install the CRD, run operators in-process or as real processes,
 * apply resources the way `kubectl apply --server-side` does, and wait for conditions.
 */
import { inspect } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createLogger } from '../../../services/core/src/logging.js';
import { buildCustomResourceDefinition } from '../../../operator/src/api/v1alpha1/myragdb.schema.js';
import type { MyRAGDB } from '../../../operator/src/api/v1alpha1/myragdb.types.js';
import { ContentType, isStatus, KubeClient } from '../../../operator/src/kube/kube-client.js';
import type { KubeList, KubeObject } from '../../../operator/src/kube/kube-object.js';
import { Resources, resourcePath } from '../../../operator/src/kube/resources.js';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../../operator/src/main.js';
import {
  createTestNamespace,
  deleteTestNamespace,
  REPO_ROOT,
  useControlPlane,
  type ControlPlane,
} from '../../support/control-plane.js';

export const TEST_MANAGER = 'integration-test';

export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${inspect(lastError)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Installs the generated CRD with server-side apply (plain JSON keeps `default`/`x-kubernetes-*`), waits for Established. */
export async function installCrd(client: KubeClient): Promise<void> {
  const crd = buildCustomResourceDefinition() as KubeObject;
  await client.request({
    method: 'PATCH',
    path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
    query: { fieldManager: TEST_MANAGER, force: true },
    body: crd,
    contentType: ContentType.applyPatch,
  });
  await eventually(async () => {
    const current = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
    );
    return current.status?.conditions?.some(
      (condition) => condition.type === 'Established' && condition.status === 'True',
    );
  }, 'the CRD to be established');
  // Discovery of the new type is eventually consistent: wait until the API serves it.
  await eventually(() => client.get('/apis/myragdb.io/v1alpha1/myragdbs').then(() => true), 'the myragdbs endpoint');
}

export function loadSample(file: string): MyRAGDB {
  return parse(readFileSync(path.join(REPO_ROOT, 'manifests', 'samples', file), 'utf8')) as MyRAGDB;
}

/** `kubectl apply --server-side` of a MyRAGDB (a user's edit). */
export function applyMyRAGDB(
  client: KubeClient,
  namespace: string,
  resource: { metadata: { name: string }; spec?: unknown },
  options: { dryRun?: boolean } = {},
): Promise<MyRAGDB> {
  return client.request<MyRAGDB>({
    method: 'PATCH',
    path: resourcePath(Resources.MyRAGDB, namespace, resource.metadata.name),
    query: { fieldManager: TEST_MANAGER, force: true, ...(options.dryRun ? { dryRun: 'All' } : {}) },
    body: {
      apiVersion: 'myragdb.io/v1alpha1',
      kind: 'MyRAGDB',
      metadata: { name: resource.metadata.name, namespace },
      spec: resource.spec,
    },
    contentType: ContentType.applyPatch,
  });
}

export function getMyRAGDB(client: KubeClient, namespace: string, name: string): Promise<MyRAGDB | undefined> {
  return client.find<MyRAGDB>(resourcePath(Resources.MyRAGDB, namespace, name));
}

export async function listChildren(
  client: KubeClient,
  resource: keyof typeof Resources,
  namespace: string,
  selector?: string,
) {
  const list = await client.get<KubeList>(
    resourcePath(Resources[resource], namespace),
    selector ? { labelSelector: selector } : {},
  );
  // List items come without kind/apiVersion.
  return (list.items ?? []).map((item) => ({ ...item, kind: Resources[resource].kind }));
}

export function condition(resource: MyRAGDB | undefined, type: string) {
  return resource?.status?.conditions?.find((entry) => entry.type === type);
}

export async function waitForCondition(
  client: KubeClient,
  namespace: string,
  name: string,
  type: string,
  status: string,
  timeoutMs = 90_000,
) {
  return eventually(
    async () => {
      const resource = await getMyRAGDB(client, namespace, name);
      return condition(resource, type)?.status === status ? resource : undefined;
    },
    `${namespace}/${name} ${type}=${status}`,
    timeoutMs,
  );
}

/**
 * PersistentVolumes for the store claims to bind to (the control plane has no provisioner); without them the store
 * pods are never scheduled. hostPath volumes: kwok never mounts anything.
 */
export async function createVolumes(client: KubeClient, count: number, size = '100Gi'): Promise<string[]> {
  const names: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `pv-${randomUUID().slice(0, 8)}`;
    await client.request({
      method: 'POST',
      path: '/api/v1/persistentvolumes',
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: {
          capacity: { storage: size },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: `/tmp/${name}` },
          persistentVolumeReclaimPolicy: 'Delete',
        },
      },
    });
    names.push(name);
  }
  return names;
}

export function silentLogger() {
  const sink = new PassThrough();
  sink.resume();
  return createLogger({
    service: 'operator',
    level: process.env.MYRAGDB_OPERATOR_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn',
    format: 'json',
    stream: process.env.MYRAGDB_OPERATOR_TEST_LOG_LEVEL ? process.stdout : sink,
  });
}

export const FAST_ELECTION = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };

export function runOperator(
  kubeConfig: KubeConfig,
  namespace: string,
  overrides: Partial<OperatorOptions> = {},
): Promise<RunningOperator> {
  const identity = `test-${randomUUID().slice(0, 8)}`;
  return startOperator({
    kubeConfig,
    logger: silentLogger(),
    namespace,
    workers: 2,
    resyncPeriodMs: 30_000,
    instance: identity,
    notReadyRequeueMs: 1000,
    defaultMetrics: false,
    leaderElection: { namespace, name: 'myragdb-operator', identity, ...FAST_ELECTION },
    ...overrides,
  });
}

/** The operator as a real process (`myragdb-operator`), to be killed like a crashed pod. */
export function spawnOperatorProcess(kubeconfigPath: string, namespace: string, gatewayUrl: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'operator', 'bin', 'myragdb-operator.js'),
      '--kubeconfig',
      kubeconfigPath,
      '--namespace',
      namespace,
      '--probe-address',
      'off',
      '--lease-duration',
      '3',
      '--renew-deadline',
      '2',
      '--retry-period',
      '0.3',
      '--gateway-url',
      gatewayUrl,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.resume();
  return child;
}

export async function deleteAndWait(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<void> {
  await client.delete(resourcePath(Resources.MyRAGDB, namespace, name));
  await eventually(async () => !(await getMyRAGDB(client, namespace, name)), `${name} to be deleted`, timeoutMs);
}

export { isStatus, KubeClient };

export interface OperatorSuite {
  cp: ControlPlane;
  /** An admin client. */
  client: KubeClient;
  /** A fresh namespace, deleted after the suite. */
  namespace(prefix: string): Promise<string>;
  /** Registers an operator (or process) to be stopped after the suite. */
  track<T extends RunningOperator | ChildProcess>(running: T): T;
}

/**
 * Call inside a `describe`: shares the control plane, installs the CRD once, and after the suite stops every
 * tracked operator and deletes the namespaces it created.
 */
export function operatorSuite(): OperatorSuite {
  const namespaces: string[] = [];
  const operators: RunningOperator[] = [];
  const children: ChildProcess[] = [];
  const suite = {
    namespace: async (prefix: string) => {
      const name = await createTestNamespace(suite.cp.kubeConfig, prefix);
      namespaces.push(name);
      return name;
    },
    track: <T extends RunningOperator | ChildProcess>(running: T): T => {
      if ('stop' in running) operators.push(running);
      else children.push(running);
      return running;
    },
  } as OperatorSuite;
  before(async function () {
    suite.cp = await useControlPlane(this);
    suite.client = new KubeClient(suite.cp.kubeConfig);
    await installCrd(suite.client);
  });
  after(async function () {
    this.timeout(60_000);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(operators.splice(0).map((operator) => operator.stop()));
    for (const namespace of namespaces) await deleteTestNamespace(suite.cp.kubeConfig, namespace);
  });
  return suite;
}

export interface GatewayApi {
  url: string;
  /** Registered repositories by name (the POSTed bodies). */
  /** Registered repositories; a test sets `keywordStore` to play the indexer filling a keyword engine. */
  repositories: Map<string, { name: string; source: unknown; keywordStore?: string | null }>;
  requests: { method: string; url: string; authorization?: string }[];
  /** The repositories of each POST /api/v1/reindex. */
  syncRequests: string[][];
  /** The next n DELETEs answer 503. */
  failDeletes: number;
  close(): Promise<void>;
}

/**
 * Stands in for the search gateway's repository API (GET/POST /api/v1/repositories, DELETE /api/v1/repositories/{name},
 * POST /api/v1/reindex, with their 201/409/200/404/202 answers): the gateway's pods are simulated by kwok and serve
 * nothing, and the operator runs outside the cluster network.
 */
export async function startGatewayApi(): Promise<GatewayApi> {
  const api = {
    repositories: new Map() as GatewayApi['repositories'],
    requests: [] as GatewayApi['requests'],
    syncRequests: [] as string[][],
    failDeletes: 0,
  } as GatewayApi;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      api.requests.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization });
      const send = (status: number, payload: unknown) =>
        response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
      const name = /^\/api\/v1\/repositories\/([^/]+)$/.exec(request.url ?? '')?.[1];
      if (request.url === '/api/v1/repositories' && request.method === 'GET') {
        return send(200, {
          repositories: [...api.repositories.values()].map((repository) => ({
            name: repository.name,
            status: 'pending',
            keywordStore: repository.keywordStore ?? null,
          })),
        });
      }
      if (request.url === '/api/v1/repositories' && request.method === 'POST') {
        const repository = JSON.parse(body) as { name: string; source: unknown };
        if (api.repositories.has(repository.name)) return send(409, { error: { code: 'conflict' } });
        api.repositories.set(repository.name, repository);
        return send(201, { name: repository.name, status: 'pending', job: { id: 'job-1' } });
      }
      if (request.url === '/api/v1/reindex' && request.method === 'POST') {
        const { repositories } = JSON.parse(body) as { repositories: string[] };
        api.syncRequests.push(repositories);
        return send(202, {
          jobs: repositories.map((repository) => ({ id: `job-${repository}`, repository, kind: 'sync' })),
        });
      }
      if (name && request.method === 'DELETE') {
        if (api.failDeletes > 0) {
          api.failDeletes -= 1;
          return send(503, { error: { code: 'dependency_unavailable' } });
        }
        const decoded = decodeURIComponent(name);
        if (!api.repositories.delete(decoded)) return send(404, { error: { code: 'not_found' } });
        return send(200, { deleted: decoded });
      }
      send(404, { error: { code: 'not_found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
