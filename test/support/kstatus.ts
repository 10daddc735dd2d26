/**
 * The kstatus library (sigs.k8s.io/cli-utils, what Flux and kpt read) as a test oracle: `test/kstatus/build.sh`
 * builds a small Go checker around `status.Compute`; tests feed it objects read from the API server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './control-plane.js';

const execFileAsync = promisify(execFile);
const BUILD_SCRIPT = path.join(REPO_ROOT, 'test', 'kstatus', 'build.sh');

export interface KstatusVerdict {
  name: string;
  namespace?: string;
  kind: string;
  /** InProgress, Failed, Current, Terminating, NotFound or Unknown. */
  status: string;
  message: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

/** The checker binary (KSTATUS_CHECK, or the one build.sh caches); throws with the build command when missing. */
export function kstatusCheckPath(): string {
  const binary =
    process.env.KSTATUS_CHECK ?? execFileSync('bash', [BUILD_SCRIPT, '--print-path'], { encoding: 'utf8' }).trim();
  if (!existsSync(binary)) {
    throw new Error(`kstatus-check is not built at ${binary}: run \`bash test/kstatus/build.sh\` (about a minute)`);
  }
  return binary;
}

/** kstatus' verdict on one object (with kind and apiVersion, as a GET of the object returns it). */
export async function kstatus(object: unknown): Promise<KstatusVerdict> {
  const child = execFileAsync(kstatusCheckPath(), [], { encoding: 'utf8' });
  child.child.stdin!.end(JSON.stringify(object));
  const { stdout } = await child;
  return JSON.parse(stdout.trim()) as KstatusVerdict;
}
