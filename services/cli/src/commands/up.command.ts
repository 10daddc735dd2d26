import { Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import type { AppConfig } from '../../../core/src/config/load-config.js';
import { redactText } from '../../../core/src/redaction.js';
import type { RepositoryStatus } from '../../../search-gateway/src/api/repository.schemas.js';
import { startLocalMode } from '../local/local-mode.js';
import type { CommandIo } from './command-io.js';
import { processIo } from './command-io.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65534) throw new InvalidArgumentError('must be a port number');
  return port;
}

/** One line per repository: what a person watching the first index wants to see. */
export function formatProgress(status: RepositoryStatus): string {
  const progress = status.progress as
    { phase?: string; filesDone?: number; filesTotal?: number; vectorsWritten?: number } | undefined;
  const detail =
    status.status === 'indexing' && progress
      ? ` ${progress.phase ?? ''} ${progress.filesDone ?? 0}/${progress.filesTotal ?? '?'} files`
      : '';
  return `${status.name}: ${status.status}${detail} · ${status.files} files · ${status.chunks} chunks · ${status.vectorsPending} vectors pending${
    status.error ? ` · error: ${status.error}` : ''
  }`;
}

/** Where `up` keeps what, in one line; URLs lose any credentials. */
export function describeStores(
  config: Pick<AppConfig, 'DATABASE_URL' | 'KEYWORD_ENGINE' | 'MEILI_URL' | 'MEILI_INDEX_PREFIX' | 'CHROMA_URL'>,
): string {
  const catalog = config.DATABASE_URL ? `catalog in ${redactText(config.DATABASE_URL)}` : 'catalog in PGlite';
  const keywords =
    config.KEYWORD_ENGINE === 'meilisearch'
      ? `keywords in Meilisearch at ${redactText(config.MEILI_URL ?? '')} (index ${config.MEILI_INDEX_PREFIX}chunks)`
      : 'keywords in PostgreSQL full-text search';
  const vectors = config.CHROMA_URL ? `vectors in Chroma at ${redactText(config.CHROMA_URL)}` : 'vectors in Chroma';
  return `${catalog}, ${keywords}, ${vectors}`;
}

/**
 * `myragdb up [PATH…]`: MyRAGDB on this machine in one process, with embedded stores in the data dir; prints the
 * URL and admin key, then indexing progress until every repository is ready. Ctrl-C stops it cleanly.
 */
export function upCommand(io: CommandIo = processIo(), env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('up')
    .description('Run MyRAGDB locally (gateway, indexer, health) and index the given folders')
    .argument('[paths...]', 'folders to index (registered on first start, synced on every start)')
    .option('--port <port>', 'gateway port (health serves on port + 1)', parsePort, 3002)
    .option(
      '--data-dir <dir>',
      'where the embedded database, vectors and admin key live',
      env.MYRAGDB_DATA_DIR ?? '.myragdb',
    )
    .action(async (paths: string[], options: { port: number; dataDir: string }) => {
      const c = pc.createColors(Boolean(io.stdout.isTTY) && !env.NO_COLOR);
      const say = (line: string) => io.stdout.write(`${line}\n`);
      say(c.dim(`Starting MyRAGDB (data in ${options.dataDir})…`));
      const local = await startLocalMode({ paths, port: options.port, dataDir: options.dataDir, env });

      say(`${c.green('MyRAGDB is running')} at ${c.bold(local.url)}  (health: ${local.healthUrl})`);
      say(`Web UI: ${c.bold(await local.signInLink())}  (signs you in once; valid 15 minutes)`);
      say(c.dim(`Stores: ${describeStores(local.config)}`));
      if (local.adminKey.source === 'MYRAGDB_API_KEY') say('Admin API key: the value of MYRAGDB_API_KEY');
      else say(`Admin API key: ${c.bold(local.adminKey.key)}  (saved in ${local.adminKey.file}, mode 0600)`);
      say(
        c.dim(`Try: MYRAGDB_URL=${local.url} npx myragdb search "your query" · MCP: ${local.url}/mcp · Ctrl-C to stop`),
      );

      let last = '';
      let announced = false;
      /** Prints what changed; true while something is indexing or just changed. */
      const report = async (): Promise<boolean> => {
        const statuses = (await local.status()).filter((status) => local.repositories.includes(status.name));
        const text = statuses.map(formatProgress).join('\n');
        const changed = text !== last;
        if (changed) {
          if (text) say(text);
          last = text;
        }
        const done = statuses.every((status) => status.status === 'ready' && status.vectorsPending === 0);
        if (done && !announced && statuses.length > 0) {
          announced = true;
          say(c.green(`Indexed: ${statuses.map((status) => status.name).join(', ')}`));
        }
        return changed || !done;
      };
      // Every second while something is indexing. Once all is indexed and quiet, only when the job queue announces
      // a job (a periodic sync, a reindex over HTTP), or once a minute: reading every repository's counts was most of
      // what an idle `up` spent CPU on.
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      let wakeOnJob: (() => void) | undefined;
      const poll = async () => {
        const active = await report().catch((error: unknown) => {
          local.logger.warn('progress check failed', { error });
          return true;
        });
        if (stopped) return;
        if (active) {
          timer = setTimeout(() => void poll(), 1_000);
          return;
        }
        wakeOnJob = () => {
          wakeOnJob = undefined;
          clearTimeout(timer);
          void poll();
        };
        timer = setTimeout(wakeOnJob, 60_000);
      };
      const unwatchJobs = await local.watchJobs(() => wakeOnJob?.());
      timer = setTimeout(() => void poll(), 1_000);

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          stopped = true;
          clearTimeout(timer);
          say(c.dim(`\n${signal}: stopping (finishing requests, releasing jobs)…`));
          void unwatchJobs()
            .catch(() => undefined)
            .then(() => local.shutdown())
            .then(() => {
              say('Stopped.');
              resolve();
            });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
