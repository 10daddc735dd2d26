/**
 * Starts what a user starts: `myragdb up` on a fixture folder, from this checkout, with a Chroma server of the
 * suite's own (so a test can pause it). Tests read the URL, the admin key and the first sign-in link from the
 * environment; the returned function stops everything.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChromaServer } from '../support/chroma.js';
import { INDEXED_FILES } from '../support/fixture-repository.js';
import { freePort } from '../support/ports.js';

const CLI = fileURLToPath(new URL('../../services/cli/bin/myragdb.js', import.meta.url));

/** A second folder the repositories test adds through the UI. */
const EXTRA_FILES: Record<string, string> = {
  'retry.ts': `/** Retries an HTTP call with exponential backoff and jitter. */
export async function retryWithBackoff<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 100 * Math.random()));
    }
  }
}
`,
  'README.md': '# Extra\n\nHelpers for calling flaky services.\n',
};

async function writeFolder(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const work = await mkdtemp(join(tmpdir(), 'myragdb-browser-'));
  const project = join(work, 'payments');
  const extra = join(work, 'extra');
  await writeFolder(project, INDEXED_FILES);
  await writeFolder(extra, EXTRA_FILES);
  const chroma = await startChromaServer();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'up', project, '--port', String(port), '--data-dir', join(work, 'data')],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        CHROMA_URL: chroma.url,
        MYRAGDB_ALLOWED_ROOTS: work,
        // The degraded test pauses Chroma: give up on the semantic leg quickly.
        SEARCH_LEG_TIMEOUT_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    chroma.process?.kill('SIGCONT');
    await chroma.stop();
    await rm(work, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!/Indexed: /.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`myragdb up did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const url = /running at (http:\/\/\S+)/.exec(output)?.[1];
  const key = /Admin API key: (mrdb_\S+)/.exec(output)?.[1];
  const link = /Web UI: (http:\/\/\S+)/.exec(output)?.[1];
  if (!url || !key || !link) {
    await stop();
    throw new Error(`unexpected output of myragdb up:\n${output}`);
  }
  Object.assign(process.env, {
    MYRAGDB_UI_URL: url,
    MYRAGDB_UI_ADMIN_KEY: key,
    MYRAGDB_UI_SIGN_IN_LINK: link,
    MYRAGDB_UI_EXTRA_FOLDER: extra,
    MYRAGDB_UI_CHROMA_PID: String(chroma.process?.pid ?? ''),
  });
  return stop;
}
