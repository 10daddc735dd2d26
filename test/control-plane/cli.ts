/**
 * `npm run control-plane -- up|down|status|build`: the test control plane by hand, for kubectl and the operator.
 *
 *   up      start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok in the background and
 *           print the KUBECONFIG to use (processes keep running after this command returns)
 *   down    stop them and leave no processes behind
 *   status  report whether it runs, its version and readiness (exit 1 when it is not running)
 *   build   build (or reuse) the binaries: bash test/control-plane/build.sh
 *
 * The working directory (certs, etcd data, logs, pids) is ${MYRAGDB_CONTROL_PLANE_CACHE:-~/.cache/myragdb-control-plane}/run.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import {
  BUILD_SCRIPT,
  ControlPlaneBinariesMissingError,
  isAlive,
  readState,
  startControlPlane,
  stopProcesses,
} from '../support/control-plane.js';

const cacheRoot = process.env.MYRAGDB_CONTROL_PLANE_CACHE ?? path.join(os.homedir(), '.cache', 'myragdb-control-plane');
const runDir = path.join(cacheRoot, 'run');

async function up(): Promise<number> {
  const existing = await readState(runDir);
  if (existing?.processes.some((p) => isAlive(p.pid))) {
    console.log(`control plane already running (Kubernetes ${existing.version}, ${existing.server})`);
    console.log(`export KUBECONFIG=${existing.kubeconfigPath}`);
    return 0;
  }
  if (existing) await stopProcesses(existing, 2000).catch(() => {});
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  try {
    const cp = await startControlPlane({
      workDir: runDir,
      detached: true,
      log: (message) => console.log(`control-plane: ${message}`),
    });
    console.log(`\nKubernetes ${cp.version} at ${cp.server} (ready in ${cp.startSeconds.toFixed(1)}s)`);
    console.log(`logs: ${runDir}/*.log; stop with: npm run control-plane -- down\n`);
    console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
    return 0;
  } catch (error) {
    console.error(`control-plane: failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof ControlPlaneBinariesMissingError ? 2 : 1;
  }
}

async function down(): Promise<number> {
  const state = await readState(runDir);
  if (!state) {
    console.log('control plane not running (no state file in ' + runDir + ')');
    return 0;
  }
  await stopProcesses(state);
  await rm(runDir, { recursive: true, force: true });
  console.log(`control plane stopped (${state.processes.map((p) => `${p.name}:${p.pid}`).join(' ')})`);
  return 0;
}

async function status(): Promise<number> {
  const state = await readState(runDir);
  if (!state) {
    console.log('control plane: not running');
    return 1;
  }
  let running = 0;
  for (const p of state.processes) {
    const alive = isAlive(p.pid);
    if (alive) running++;
    console.log(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${alive ? 'running' : 'NOT RUNNING'}`);
  }
  if (running === 0) {
    console.log('control plane: not running (stale state; `npm run control-plane -- down` cleans it up)');
    return 1;
  }
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfigPath);
    const version = await kc.makeApiClient(VersionApi).getCode();
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    const ready = nodes.items
      .map((n) => `${n.metadata?.name}=${n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '?'}`)
      .join(' ');
    console.log(`control plane: running, Kubernetes ${version.gitVersion} at ${state.server}`);
    console.log(`  nodes: ${ready || '(none)'}`);
    console.log(`export KUBECONFIG=${state.kubeconfigPath}`);
    return running === state.processes.length ? 0 : 1;
  } catch (error) {
    console.log(`control plane: processes running but the API server does not answer: ${String(error)}`);
    return 1;
  }
}

function build(): number {
  return spawnSync('bash', [BUILD_SCRIPT], { stdio: 'inherit' }).status ?? 1;
}

const command = process.argv[2];
const commands: Record<string, () => Promise<number> | number> = { up, down, status, build };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error('usage: npm run control-plane -- up|down|status|build');
  process.exit(64);
}
process.exit(await run());
