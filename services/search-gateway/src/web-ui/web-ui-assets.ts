/**
 * The built web UI (Vite output in `web/dist`). In a source checkout the UI's sources sit beside it and a stale or
 * missing build is rebuilt at start (about 2 s), so `npx myragdb up` on a fresh clone serves the current UI with no
 * build step to forget; images ship only the build (`npm run build` copies it into dist/).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import type { Logger } from '../../../core/src/logging.js';

/** `web/` of the gateway, in a checkout (services/search-gateway/web) and in dist/ alike. */
export const WEB_UI_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

export interface WebUiAssets {
  /** The build directory: index.html, favicon and hashed `assets/`. */
  dir: string;
  indexHtml: string;
}

/** The built UI, building it first in a source checkout when it is missing or older than its sources. */
export async function loadWebUiAssets(logger: Logger, root = WEB_UI_ROOT): Promise<WebUiAssets | undefined> {
  const dir = join(root, 'dist');
  if (existsSync(join(root, 'src')) && (await isStale(root))) await buildWebUi(root, logger);
  const indexHtml = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
  if (indexHtml === undefined) {
    logger.warn('the web UI is not built: `/` answers 503 (run `npm run build:web` in a source checkout)', { dir });
    return undefined;
  }
  return { dir, indexHtml };
}

async function newestSourceMtime(root: string): Promise<number> {
  const sources = ['index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => join(root, name));
  for (const folder of ['src', 'public']) {
    const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isFile()) sources.push(join(entry.parentPath, entry.name));
  }
  const times = await Promise.all(sources.map(async (file) => (await stat(file).catch(() => undefined))?.mtimeMs ?? 0));
  return Math.max(...times);
}

async function isStale(root: string): Promise<boolean> {
  const built = await stat(join(root, 'dist', 'index.html')).catch(() => undefined);
  return !built || built.mtimeMs < (await newestSourceMtime(root));
}

async function buildWebUi(root: string, logger: Logger): Promise<void> {
  // Two processes starting at once (tests, `up` beside a gateway) build once; the second finds it fresh.
  const release = await lockfile.lock(root, {
    lockfilePath: join(root, '.build.lock'),
    retries: { retries: 60, minTimeout: 500 },
  });
  try {
    if (!(await isStale(root))) return;
    logger.info('building the web UI (source checkout)');
    const vite = await import('vite');
    await vite.build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    await release();
  }
}
