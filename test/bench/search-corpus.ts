/**
 * The search benchmark's corpus: real source cut at an exact chunk count, so "10k chunks" means what the index
 * holds. Files are walked with the indexer's own discovery and reader (same exclusions, size limit, binary and
 * minified checks) and counted with its chunker, in a fixed order: JavaScript/TypeScript of installed npm packages
 * (pinned by the lockfile), then Go of the Kubernetes and etcd modules in the Go module cache (the control plane
 * build fills it: `npm run control-plane -- up`). Built once per size into the temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createChunker } from '../../services/indexer/src/chunking/chunker.js';
import { discoverFiles } from '../../services/indexer/src/discovery/discover-files.js';
import { readSourceFile } from '../../services/indexer/src/discovery/read-source-file.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../services/core/src/domain/repository.js';

const NPM_SOURCES = [
  'eslint/lib',
  '@typescript-eslint/eslint-plugin/dist',
  '@typescript-eslint/typescript-estree/dist',
  '@typescript-eslint/scope-manager/dist',
  '@typescript-eslint/utils/dist',
  'express/lib',
  'winston/lib',
  'prom-client/lib',
  'pg/lib',
  'commander/lib',
];
/** Module directories under GOMODCACHE, by prefix: one version each (the versions the control plane build pins). */
const GO_SOURCES = [
  'k8s.io/kubernetes@v1.36',
  'k8s.io/client-go@v0.36',
  'k8s.io/apiserver@v0.36',
  'k8s.io/apimachinery@v0.36',
  'k8s.io/kubectl@v0.36',
  'k8s.io/apiextensions-apiserver@v0.36',
  'k8s.io/kube-openapi@',
  'k8s.io/kube-aggregator@v0.36',
  'k8s.io/component-base@v0.36',
  'go.etcd.io/etcd/server/v3@',
  'go.etcd.io/etcd/client/v3@',
  'go.etcd.io/raft/v3@',
  'go.etcd.io/bbolt@',
  'google.golang.org/grpc@v1.81',
  'github.com/google/cel-go@',
];
const RULES = {
  include: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.ts', '**/*.go'],
  // Declarations and generated Go are left out: they would be a large, repetitive share of the Kubernetes tree.
  exclude: ['**/*.d.ts', '**/zz_generated*', '**/*.pb.go', '**/generated*.go', '**/testdata/**'],
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
};

export interface SearchCorpus {
  directory: string;
  files: number;
  chunks: number;
  /** Where the files came from, for the report. */
  sources: string[];
}

async function goModuleCache(): Promise<string> {
  const { stdout } = await promisify(execFile)('go', ['env', 'GOMODCACHE']).catch(() => ({ stdout: '' }));
  return stdout.trim() || join(homedir(), 'go', 'pkg', 'mod');
}

/** `[label, root]` of every source that exists here, in corpus order. */
async function sourceRoots(): Promise<Array<[string, string]>> {
  const roots: Array<[string, string]> = NPM_SOURCES.map((source) => [
    `npm/${source
      .split('/')
      .filter((part) => part !== 'dist' && part !== 'lib')
      .join('-')}`,
    join(process.cwd(), 'node_modules', source),
  ]);
  const cache = await goModuleCache();
  for (const prefix of GO_SOURCES) {
    const parent = join(cache, dirname(prefix));
    const names = await readdir(parent).catch(() => [] as string[]);
    const match = names.sort().find((name) => name.startsWith(prefix.slice(prefix.lastIndexOf('/') + 1)));
    if (match) roots.push([`go/${dirname(prefix)}/${match.split('@')[0]}`, join(parent, match)]);
  }
  return roots;
}

/** The corpus of (at least, by less than one file) `chunks` chunks, built on first use. */
export async function searchCorpus(chunks: number): Promise<SearchCorpus> {
  const directory = join(tmpdir(), `myragdb-bench-search-corpus-v2-${chunks}`);
  const manifest = join(directory, '.corpus.json');
  const built = await readFile(manifest, 'utf8').catch(() => undefined);
  if (built) return { ...(JSON.parse(built) as Omit<SearchCorpus, 'directory'>), directory };

  // Built aside and renamed when complete, so an interrupted build never leaves a corpus with stray files.
  const partial = `${directory}.partial`;
  await rm(partial, { recursive: true, force: true });
  const chunker = createChunker();
  const corpus: Omit<SearchCorpus, 'directory'> = { files: 0, chunks: 0, sources: [] };
  for (const [label, root] of await sourceRoots()) {
    if (corpus.chunks >= chunks) break;
    if (!(await stat(root).catch(() => undefined))) continue;
    corpus.sources.push(label);
    for (const path of (await discoverFiles(root, RULES)).files.keys()) {
      if (corpus.chunks >= chunks) break;
      const file = await readSourceFile(root, path, RULES.maxFileBytes);
      if (file.kind !== 'text') continue;
      const target = `${label}/${path}`;
      const found = await chunker.chunk({ repository: 'bench', path: target, content: file.content });
      if (found.length === 0) continue;
      await mkdir(dirname(join(partial, target)), { recursive: true });
      await writeFile(join(partial, target), file.content);
      corpus.files++;
      corpus.chunks += found.length;
    }
  }
  if (corpus.chunks < chunks) {
    throw new Error(
      `only ${corpus.chunks} chunks of source found for a ${chunks}-chunk corpus: the Go sources come from the ` +
        'module cache the control plane build fills (`npm run control-plane -- up`)',
    );
  }
  await writeFile(join(partial, '.corpus.json'), JSON.stringify(corpus));
  await rm(directory, { recursive: true, force: true });
  await rename(partial, directory);
  return { ...corpus, directory };
}
