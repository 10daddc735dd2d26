/**
 * File discovery over a generated tree of 10,000 files in 400 directories (nested .gitignore files included):
 * the stat-only walk a no-change resync starts with. `BENCH_FILES` changes the size. Not a test.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverFiles } from '../../services/indexer/src/discovery/discover-files.js';

const total = Number(process.env.BENCH_FILES ?? 10_000);
const perDirectory = 25;
const root = await mkdtemp(join(tmpdir(), 'myragdb-discovery-bench-'));
try {
  await writeFile(join(root, '.gitignore'), '*.log\ntmp/\n');
  for (let directory = 0; directory * perDirectory < total; directory++) {
    const path = join(root, `pkg${directory % 20}`, `module${directory}`);
    await mkdir(path, { recursive: true });
    if (directory % 10 === 0) await writeFile(join(path, '.gitignore'), '*.generated.ts\n');
    const files = Math.min(perDirectory, total - directory * perDirectory);
    await Promise.all(
      Array.from({ length: files }, (_, file) =>
        writeFile(join(path, `file${file}.ts`), `export const v${file} = ${file};\n`),
      ),
    );
  }
  console.log(`${total} files; load ${loadavg()[0]!.toFixed(1)}`);
  for (let run = 1; run <= 5; run++) {
    const start = performance.now();
    const discovery = await discoverFiles(root, { include: [], exclude: ['**/*.spec.ts'], maxFileBytes: 1_000_000 });
    console.log(`run ${run}: ${discovery.files.size} files in ${(performance.now() - start).toFixed(0)} ms`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
