/**
 * The Chroma server `myragdb up` starts as a child process must not outlive it, even when it is killed outright
 * (SIGKILL runs no exit handler): otherwise it keeps the port and the data dir of the next `up`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerTeardown } from '../../support/hooks.js';

const CHROMA_SERVER = fileURLToPath(new URL('../../../services/cli/src/local/chroma-server.ts', import.meta.url));

const alive = (url: string) =>
  fetch(`${url}/api/v2/heartbeat`).then(
    (response) => response.ok,
    () => false,
  );

describe('local mode: the Chroma child process', function () {
  this.timeout(120_000);

  it('stops when the process that started it is killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'myragdb-chroma-child-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
    const script = `const { startChromaChild } = await import(${JSON.stringify(CHROMA_SERVER)});
      const chroma = await startChromaChild(${JSON.stringify(join(dataDir, 'chroma'))});
      console.log('chroma at ' + chroma.url);
      setInterval(() => {}, 60_000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    registerTeardown(async () => {
      parent.kill('SIGKILL');
    });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      parent.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        const found = /chroma at (\S+)/.exec(output);
        if (found) resolve(found[1]!);
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before Chroma started: ${output}`)));
    });
    assert.equal(await alive(url), true);

    parent.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while ((await alive(url)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await alive(url), false, 'the Chroma server still answers after its parent was killed');
  });
});
