/**
 * A real Kubernetes control plane for integration tests: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok (simulated nodes and pod lifecycles, no kubelet), all on free loopback ports, with
 * certificates, a service-account key pair and an admin kubeconfig generated into a temporary directory.
 *
 * The binaries come from `bash test/control-plane/build.sh` (or from `KUBEBUILDER_ASSETS`). Suites call
 * {@link useControlPlane} in a `before` hook: one control plane is shared by the whole mocha run and is stopped by
 * the root hook in `test/support/hooks.ts`, or at process exit at the latest.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, type V1Namespace, type V1Node } from '@kubernetes/client-node';
import { registerTeardown } from './hooks.js';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_SCRIPT = path.join(REPO_ROOT, 'test', 'control-plane', 'build.sh');
export const BUILD_HINT =
  'Build them with `bash test/control-plane/build.sh` (10-25 min cold on 2 cores, then cached), ' +
  'or point KUBEBUILDER_ASSETS at a directory with kube-apiserver and etcd, ' +
  'or set MYRAGDB_SKIP_KUBE=1 to skip the Kubernetes suites.';

/** Name of the simulated node that kwok manages; pods are scheduled onto it. */
export const KWOK_NODE_NAME = 'kwok-node-0';

const STATE_FILE = 'control-plane.json';
const TMP_PREFIX = 'myragdb-cp-';

export interface ControlPlaneOptions {
  /** Directory with the binaries. Default: what `build.sh --print-bin-dir` says (honours KUBEBUILDER_ASSETS). */
  binDir?: string;
  /** Working directory (certs, etcd data, logs). Default: a fresh temp dir, removed by stop(). */
  workDir?: string;
  /** Start kube-controller-manager (needed for GC, Deployments, Jobs, namespaces deletion). Default true. */
  controllerManager?: boolean;
  /** Start kube-scheduler. Default true. */
  scheduler?: boolean;
  /** Start kwok and register a simulated node. Default true when the kwok binary exists. */
  kwok?: boolean;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  apiServerArgs?: string[];
  /** Extra kube-controller-manager flags, e.g. its client's ['--kube-api-qps=200']. */
  controllerManagerArgs?: string[];
  /** Leave the processes running when this Node.js process exits (used by `npm run control-plane -- up`). */
  detached?: boolean;
  /** Progress messages. Default: silent. */
  log?: (message: string) => void;
  /** Overall start timeout. Default 180 s. */
  timeoutMs?: number;
}

export interface ControlPlaneProcess {
  name: string;
  pid: number;
  logFile: string;
}

export interface ControlPlane {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** The API server's gitVersion, e.g. "v1.36.3". */
  version: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** http://127.0.0.1:PORT (plain HTTP, loopback only), e.g. to force a compaction. */
  etcdEndpoint: string;
  workDir: string;
  binDir: string;
  processes: ControlPlaneProcess[];
  /** Seconds from start to ready. */
  startSeconds: number;
  /** Which optional components run (all of them with our build; maybe none with KUBEBUILDER_ASSETS). */
  components: { controllerManager: boolean; scheduler: boolean; kwok: boolean };
  /** Stops every process (SIGTERM, then SIGKILL to the whole process group) and removes the work dir. */
  stop(): Promise<void>;
}

/** What the state file in the work dir records, so a later process can find and stop a control plane. */
export interface ControlPlaneState {
  ownerPid: number | null;
  binDir: string;
  workDir: string;
  kubeconfigPath: string;
  server: string;
  etcdEndpoint: string;
  version: string;
  processes: ControlPlaneProcess[];
  startedAt: string;
}

export class ControlPlaneBinariesMissingError extends Error {
  constructor(binDir: string, missing: string[]) {
    super(`Kubernetes test control plane binaries missing in ${binDir}: ${missing.join(', ')}. ${BUILD_HINT}`);
    this.name = 'ControlPlaneBinariesMissingError';
  }
}

/** The directory the binaries are expected in (does not build anything). */
export function resolveBinDir(): string {
  try {
    return execFileSync('bash', [BUILD_SCRIPT, '--print-bin-dir'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`cannot run ${BUILD_SCRIPT} --print-bin-dir: ${String(error)}`, { cause: error });
  }
}

export function missingBinaries(binDir: string, withComponents = true): string[] {
  const required = ['etcd', 'kube-apiserver'];
  if (withComponents) required.push('kube-controller-manager', 'kube-scheduler');
  return required.filter((name) => !isExecutable(path.join(binDir, name)));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Pick a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args.join(' ')} failed: ${String(error)}`, { cause: error });
  }
}

/** CA, API server serving cert, admin client cert (system:masters) and a service-account signing key. */
async function generateCerts(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // prettier-ignore
  await openssl(dir, [
    'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650',
    '-subj', '/CN=myragdb-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const sign = async (name: string, subject: string, ext: string): Promise<void> => {
    await writeFile(path.join(dir, `${name}.ext`), ext);
    await openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    // prettier-ignore
    await openssl(dir, [
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '3650', '-extfile', `${name}.ext`,
    ]);
  };
  await sign(
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
        'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      '',
    ].join('\n'),
  );
  await sign(
    'admin',
    '/O=system:masters/CN=myragdb-test-admin',
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
      '',
    ].join('\n'),
  );
  await openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key']);
  await openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function kubeconfigYaml(dir: string, server: string): string {
  const b64 = (file: string): string => readFileSync(path.join(dir, file)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: myragdb-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64('ca.crt')}`,
    'users:',
    '- name: myragdb-test-admin',
    '  user:',
    `    client-certificate-data: ${b64('admin.crt')}`,
    `    client-key-data: ${b64('admin.key')}`,
    'contexts:',
    '- name: myragdb-test',
    '  context:',
    '    cluster: myragdb-test',
    '    user: myragdb-test-admin',
    '    namespace: default',
    'current-context: myragdb-test',
    '',
  ].join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface HttpResult {
  status: number;
  body: string;
}

function httpGet(url: string, tls?: https.RequestOptions): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { ...tls, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0); it is dead for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** True if the pid still runs one of our binaries (guards against pid reuse before killing). */
function runsBinaryFrom(pid: number, binDir: string): boolean {
  try {
    const exe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return exe.startsWith(binDir + path.sep);
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stop processes recorded in a state file, one at a time in reverse start order (the API server stops in about a
 * second while etcd still runs, but hangs when etcd goes first): SIGTERM to the process group, SIGKILL to it after
 * the grace period. Only pids still running a binary from `binDir` are signalled.
 */
export async function stopProcesses(
  state: Pick<ControlPlaneState, 'processes' | 'binDir'>,
  graceMs = 10_000,
): Promise<void> {
  const left: ControlPlaneProcess[] = [];
  for (const p of [...state.processes].reverse()) {
    if (!isAlive(p.pid) || !runsBinaryFrom(p.pid, state.binDir)) continue;
    killGroup(p.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(p.pid) && Date.now() < deadline) await sleep(25);
    killGroup(p.pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (isAlive(p.pid) && Date.now() < killDeadline) await sleep(25);
    if (isAlive(p.pid)) left.push(p);
  }
  if (left.length) {
    throw new Error(`control plane processes did not exit: ${left.map((p) => `${p.name}:${p.pid}`).join(', ')}`);
  }
}

/**
 * Kill control planes left behind by test processes that died without cleaning up (e.g. SIGKILL), found through
 * their state files in the temp dir. Detached ones (`npm run control-plane -- up`) are left alone.
 */
export async function reapOrphans(log: (message: string) => void = () => {}): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(os.tmpdir()).filter((name) => name.startsWith(TMP_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = path.join(os.tmpdir(), name);
    let state: ControlPlaneState;
    try {
      state = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as ControlPlaneState;
    } catch {
      continue;
    }
    if (state.ownerPid === null || isAlive(state.ownerPid)) continue;
    log(`reaping control plane left by dead process ${state.ownerPid} in ${dir}`);
    await stopProcesses(state, 2000).catch((error: unknown) => log(`reaping ${dir} failed: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Live processes of control planes started by this Node.js process, killed synchronously at exit. */
const liveGroups = new Set<number>();
let exitHandlersInstalled = false;

/** Temporary work dirs of running control planes, removed at exit. */
const liveWorkDirs = new Set<string>();

function killLiveGroupsSync(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
  for (const dir of liveWorkDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  liveWorkDirs.clear();
}

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  process.on('exit', killLiveGroupsSync);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      killLiveGroupsSync();
      // Keep the default behaviour (exit) unless someone else handles the signal too.
      if (process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}

/** Start a control plane and wait until it serves requests. Throws (after cleaning up) if it cannot. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 180_000);
  const binDir = opts.binDir ?? resolveBinDir();
  const has = (name: string): boolean => isExecutable(path.join(binDir, name));
  const kwokStages = path.join(binDir, '..', 'kwok-stages.yaml');
  // envtest's KUBEBUILDER_ASSETS usually hold only etcd and kube-apiserver: run what is there. Our own build has
  // everything, so a missing piece there is an incomplete build and an error.
  const external =
    !!process.env.KUBEBUILDER_ASSETS && path.resolve(binDir) === path.resolve(process.env.KUBEBUILDER_ASSETS);
  const wantControllerManager = opts.controllerManager ?? (!external || has('kube-controller-manager'));
  const wantScheduler = opts.scheduler ?? (!external || has('kube-scheduler'));
  const wantKwok = opts.kwok ?? (!external || (has('kwok') && existsSync(kwokStages)));
  const missing = missingBinaries(binDir, false);
  if (wantControllerManager && !has('kube-controller-manager')) missing.push('kube-controller-manager');
  if (wantScheduler && !has('kube-scheduler')) missing.push('kube-scheduler');
  if (wantKwok && !has('kwok')) missing.push('kwok');
  if (wantKwok && !existsSync(kwokStages)) missing.push(kwokStages);
  if (missing.length) throw new ControlPlaneBinariesMissingError(binDir, missing);
  const components = { controllerManager: wantControllerManager, scheduler: wantScheduler, kwok: wantKwok };

  await reapOrphans(log);

  const ownWorkDir = !opts.workDir;
  const workDir = opts.workDir ?? (await mkdtemp(path.join(os.tmpdir(), TMP_PREFIX)));
  if (ownWorkDir && !opts.detached) liveWorkDirs.add(workDir);
  await mkdir(workDir, { recursive: true });
  const pki = path.join(workDir, 'pki');
  await mkdir(pki, { recursive: true });

  const processes: ControlPlaneProcess[] = [];
  const children = new Map<number, ChildProcess>();
  const state: ControlPlaneState = {
    ownerPid: opts.detached ? null : process.pid,
    binDir,
    workDir,
    kubeconfigPath: path.join(workDir, 'kubeconfig'),
    server: '',
    etcdEndpoint: '',
    version: '',
    processes,
    startedAt: new Date().toISOString(),
  };
  const saveState = (): void => writeFileSync(path.join(workDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');

  if (!opts.detached) installExitHandlers();

  const launch = (name: string, args: string[]): ChildProcess => {
    const logFile = path.join(workDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      // detached: its own process group, so stop() can signal the group and nothing is left behind.
      child = spawn(path.join(binDir, name), args, { cwd: workDir, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`cannot start ${name}`);
    const pid = child.pid;
    child.on('error', () => {});
    child.on('exit', () => liveGroups.delete(pid));
    if (opts.detached) child.unref();
    else liveGroups.add(pid);
    children.set(pid, child);
    processes.push({ name, pid, logFile });
    saveState();
    log(`started ${name} (pid ${pid}, log ${logFile})`);
    return child;
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await stopProcesses(state);
    } finally {
      for (const p of processes) liveGroups.delete(p.pid);
      liveWorkDirs.delete(workDir);
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
      else await rm(path.join(workDir, STATE_FILE), { force: true });
    }
  };

  const waitFor = async (
    what: string,
    child: ChildProcess,
    logFile: string,
    probe: () => Promise<boolean>,
  ): Promise<void> => {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}). Last log lines:\n${tail(logFile)}`);
      }
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. Last log lines:\n${tail(logFile)}`);
      await sleep(200);
    }
  };

  try {
    await generateCerts(pki);
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    const etcdEndpoint = `http://127.0.0.1:${etcdPort}`;
    const server = `https://127.0.0.1:${apiPort}`;
    state.etcdEndpoint = etcdEndpoint;
    state.server = server;
    const kubeconfigPath = state.kubeconfigPath;
    await writeFile(kubeconfigPath, kubeconfigYaml(pki, server), { mode: 0o600 });
    const p = (file: string): string => path.join(pki, file);

    const etcd = launch('etcd', [
      '--name=default',
      `--data-dir=${path.join(workDir, 'etcd')}`,
      `--listen-client-urls=${etcdEndpoint}`,
      `--advertise-client-urls=${etcdEndpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--log-level=warn',
      '--unsafe-no-fsync', // throwaway data: durability buys nothing in tests
    ]);
    await waitFor('etcd', etcd, path.join(workDir, 'etcd.log'), async () => {
      const res = await httpGet(`${etcdEndpoint}/health`);
      return res.status === 200 && res.body.includes('true');
    });
    log(`etcd ready after ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const apiserver = launch('kube-apiserver', [
      `--etcd-servers=${etcdEndpoint}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${p('apiserver.crt')}`,
      `--tls-private-key-file=${p('apiserver.key')}`,
      `--client-ca-file=${p('ca.crt')}`,
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${p('sa.pub')}`,
      `--service-account-signing-key-file=${p('sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/16',
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--profiling=false',
      `--cert-dir=${path.join(workDir, 'apiserver-certs')}`,
      // PodTemplates (unused by MyRAGDB) bypass the watch cache, so a test can expire a resourceVersion for certain
      // by compacting etcd and see the API server answer a watch from it with 410 Gone. Everything else is cached.
      '--watch-cache-sizes=podtemplates#0',
      ...(opts.apiServerArgs ?? []),
    ]);
    const tls: https.RequestOptions = {
      ca: readFileSync(p('ca.crt')),
      cert: readFileSync(p('admin.crt')),
      key: readFileSync(p('admin.key')),
    };
    await waitFor('kube-apiserver /readyz', apiserver, path.join(workDir, 'kube-apiserver.log'), async () => {
      const res = await httpGet(`${server}/readyz`, tls);
      return res.status === 200;
    });
    const version = (JSON.parse((await httpGet(`${server}/version`, tls)).body) as { gitVersion: string }).gitVersion;
    state.version = version;
    saveState();
    log(`kube-apiserver ${version} ready after ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const delegated = [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      '--leader-elect=false',
      '--profiling=false',
    ];
    const healthz: { name: string; child: ChildProcess; port: number }[] = [];
    if (wantControllerManager) {
      const kcm = launch('kube-controller-manager', [
        ...delegated,
        `--secure-port=${kcmPort}`,
        `--cert-dir=${path.join(workDir, 'kube-controller-manager-certs')}`,
        `--service-account-private-key-file=${p('sa.key')}`,
        `--root-ca-file=${p('ca.crt')}`,
        `--cluster-signing-cert-file=${p('ca.crt')}`,
        `--cluster-signing-key-file=${p('ca.key')}`,
        '--service-cluster-ip-range=10.0.0.0/16',
        '--use-service-account-credentials=false',
        ...(opts.controllerManagerArgs ?? []),
      ]);
      healthz.push({ name: 'kube-controller-manager', child: kcm, port: kcmPort! });
    }
    if (wantScheduler) {
      const scheduler = launch('kube-scheduler', [
        ...delegated,
        `--secure-port=${schedPort}`,
        `--cert-dir=${path.join(workDir, 'kube-scheduler-certs')}`,
      ]);
      healthz.push({ name: 'kube-scheduler', child: scheduler, port: schedPort! });
    }
    let kwok: ChildProcess | undefined;
    if (wantKwok) {
      kwok = launch('kwok', [
        `--kubeconfig=${kubeconfigPath}`,
        `--config=${kwokStages}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-ip=127.0.0.1',
        '--cidr=10.244.0.1/16',
        '--node-lease-duration-seconds=40',
        `--server-address=127.0.0.1:${kwokPort}`,
      ]);
      healthz.push({ name: 'kwok', child: kwok, port: kwokPort! });
    }
    await Promise.all(
      healthz.map(({ name, child, port }) =>
        waitFor(`${name} /healthz`, child, path.join(workDir, `${name}.log`), async () => {
          const scheme = name === 'kwok' ? 'http' : 'https';
          const res = await httpGet(`${scheme}://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false });
          return res.status === 200;
        }),
      ),
    );

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    if (kwok) {
      await registerKwokNode(kubeConfig);
      await waitFor(`node ${KWOK_NODE_NAME} Ready (kwok)`, kwok, path.join(workDir, 'kwok.log'), async () => {
        const node = await kubeConfig.makeApiClient(CoreV1Api).readNode({ name: KWOK_NODE_NAME });
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      });
    }
    if (wantControllerManager) {
      const kcmChild = children.get(processes.find((x) => x.name === 'kube-controller-manager')!.pid)!;
      await waitFor(
        'service account default/default (kube-controller-manager)',
        kcmChild,
        path.join(workDir, 'kube-controller-manager.log'),
        async () => {
          await kubeConfig
            .makeApiClient(CoreV1Api)
            .readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
          return true;
        },
      );
    }
    const startSeconds = (Date.now() - started) / 1000;
    log(`control plane ${version} ready in ${startSeconds.toFixed(1)}s (KUBECONFIG=${kubeconfigPath})`);
    return {
      kubeConfig,
      kubeconfigPath,
      version,
      server,
      etcdEndpoint,
      workDir,
      binDir,
      processes,
      startSeconds,
      components,
      stop,
    };
  } catch (error) {
    // Keep the logs of a failed start around (only the processes go).
    stopped = true;
    await stopProcesses(state).catch(() => {});
    for (const p of processes) liveGroups.delete(p.pid);
    liveWorkDirs.delete(workDir); // keep the logs of a failed start
    await rm(path.join(workDir, STATE_FILE), { force: true });
    if (error instanceof Error) error.message += `\n(control plane logs kept in ${workDir})`;
    throw error;
  }
}

async function registerKwokNode(kc: KubeConfig): Promise<void> {
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  const node: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: KWOK_NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': KWOK_NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: { allocatable: resources, capacity: resources },
  };
  await kc.makeApiClient(CoreV1Api).createNode({ body: node });
}

/** Read the state file of a control plane working directory, or null if there is none. */
export async function readState(workDir: string): Promise<ControlPlaneState | null> {
  try {
    return JSON.parse(await readFile(path.join(workDir, STATE_FILE), 'utf8')) as ControlPlaneState;
  } catch {
    return null;
  }
}

let counter = 0;

/**
 * Create a fresh namespace for one test (name `<prefix>-<random>`), and wait until its `default` service account
 * exists when the controller manager runs, so pods can be created right away. Returns the namespace name.
 */
export async function createTestNamespace(kc: KubeConfig, prefix = 'test'): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const name = `${prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)}-${suffix}`.slice(0, 63);
  const body: V1Namespace = { metadata: { name, labels: { 'myragdb.test/namespace': 'true' } } };
  await core.createNamespace({ body });
  // No kube-controller-manager (e.g. bare KUBEBUILDER_ASSETS) means no service accounts anywhere: don't wait.
  const controllersRun = await core
    .readNamespacedServiceAccount({ name: 'default', namespace: 'default' })
    .then(() => true)
    .catch(() => false);
  const deadline = Date.now() + (controllersRun ? 15_000 : 0);
  while (Date.now() < deadline) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      break;
    } catch {
      await sleep(100);
    }
  }
  return name;
}

/** Delete a test namespace without waiting for its finalization. */
export async function deleteTestNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => {});
}

let shared: Promise<ControlPlane> | undefined;

/** Start the control plane shared by the whole test run (once), stopped by the root afterAll hook or at exit. */
export function sharedControlPlane(): Promise<ControlPlane> {
  shared ??= (async () => {
    const cp = await startControlPlane({
      log: process.env.MYRAGDB_CONTROL_PLANE_VERBOSE ? (m) => console.log(`    [control-plane] ${m}`) : undefined,
    });
    registerTeardown(() => cp.stop());
    console.log(`    [control-plane] Kubernetes ${cp.version} ready in ${cp.startSeconds.toFixed(1)}s`);
    return cp;
  })();
  // A failed start is not cached: the next suite reports the error again instead of a stale rejection.
  shared.catch(() => (shared = undefined));
  return shared;
}

/**
 * For tests that need controllers or simulated pods: skips the test loudly when the control plane runs without them
 * (only possible with KUBEBUILDER_ASSETS lacking those binaries).
 */
export function requireComponents(
  ctx: Mocha.Context,
  cp: ControlPlane,
  needed: (keyof ControlPlane['components'])[],
): void {
  const absent = needed.filter((name) => !cp.components[name]);
  if (absent.length === 0) return;
  console.log(`    !!! SKIPPED: needs ${absent.join(', ')}, not in KUBEBUILDER_ASSETS=${cp.binDir} !!!`);
  ctx.skip();
}

/**
 * For a suite's `before` hook: returns the shared control plane, or skips the suite loudly when the binaries are
 * missing and MYRAGDB_SKIP_KUBE=1. Without that variable, missing binaries fail the suite with build instructions.
 */
export async function useControlPlane(ctx: Mocha.Context): Promise<ControlPlane> {
  ctx.timeout(240_000);
  if (process.env.MYRAGDB_SKIP_KUBE === '1') {
    console.log(
      `    !!! SKIPPED: Kubernetes control plane suites skipped because MYRAGDB_SKIP_KUBE=1 (unset it to run them) !!!`,
    );
    ctx.skip();
  }
  return sharedControlPlane();
}
