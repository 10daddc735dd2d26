/**
 * The operator process must not carry the search and indexing stack: no tree-sitter, no Chroma client, no embedder.
 * Each case starts a child Node process with a recorder of every loaded module (record-loaded-modules.mjs).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const recorder = fileURLToPath(new URL('./record-loaded-modules.mjs', import.meta.url));
const FORBIDDEN =
  /web-tree-sitter|tree-sitter-|chromadb|[/\\]adapters[/\\]embedder[/\\]|@energetic-ai|onnxruntime|@huggingface/;

interface Recording {
  rss: number;
  modules: string[];
}

async function loadedModules(args: string[]): Promise<Recording> {
  const dir = mkdtempSync(path.join(tmpdir(), 'operator-modules-'));
  const file = path.join(dir, 'modules.json');
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', recorder, ...args], {
      cwd: root,
      env: { ...process.env, RECORD_MODULES_TO: file, NODE_OPTIONS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(readFileSync(file, 'utf8')) as Recording;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const importOnly = (modulePath: string) => [
  '--input-type=module',
  '--eval',
  `await import(${JSON.stringify(new URL(modulePath, `file://${root}`).href)});`,
];

describe('operator entrypoint (operator/src/cmd)', function () {
  this.timeout(60_000);

  it('loads the operator and the kube client but no tree-sitter, Chroma or embedder module', async () => {
    const { modules } = await loadedModules(importOnly('operator/src/cmd/operator.commands.ts'));
    assert.ok(
      modules.some((module) => module.includes('operator/src/main.ts')),
      'the recorder saw the operator',
    );
    assert.ok(modules.some((module) => module.includes('@kubernetes/client-node')));
    assert.deepEqual(
      modules.filter((module) => FORBIDDEN.test(module)),
      [],
    );
  });

  it('`myragdb operator …` through the CLI loads no tree-sitter, Chroma or embedder module either', async () => {
    const { modules } = await loadedModules(['services/cli/src/main.ts', 'operator', 'crds']);
    assert.ok(modules.some((module) => module.includes('operator/src/cmd/operator.commands.ts')));
    assert.deepEqual(
      modules.filter((module) => FORBIDDEN.test(module)),
      [],
    );
  });

  it('the check can fail: the full CLI program does load them', async () => {
    const { modules } = await loadedModules(importOnly('services/cli/src/program.ts'));
    assert.ok(modules.some((module) => /web-tree-sitter/.test(module)));
    assert.ok(modules.some((module) => /chromadb/.test(module)));
    assert.ok(modules.some((module) => /[/\\]adapters[/\\]embedder[/\\]/.test(module)));
  });
});
