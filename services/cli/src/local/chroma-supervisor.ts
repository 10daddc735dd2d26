import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadinessCheck } from '../../../core/src/http/health-probes.js';
import { DependencyError } from '../../../core/src/errors.js';
import type { Logger } from '../../../core/src/logging.js';
import { type ChromaChild, startChromaChild } from './chroma-server.js';

export interface SupervisedChroma {
  /** Stable across restarts: the same loopback port is reused. */
  url: string;
  /** True while a server answers; false from its death until a restart succeeds. */
  readonly alive: boolean;
  /** Restarts so far (for status and tests). */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface ChromaSupervisorOptions {
  dataDir: string;
  logger: Logger;
  /** First delay before a restart; doubled after each failed attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The next delay of an exponential backoff (pure). */
export function nextBackoffMs(previousMs: number, initialMs: number, maxMs: number): number {
  return previousMs <= 0 ? initialMs : Math.min(previousMs * 2, maxMs);
}

/**
 * `myragdb up`'s Chroma child, kept alive: when the server dies (crash, OOM kill, `kill -9`) it is restarted on the
 * same port and data dir, after 1 s, then 2 s, 4 s … up to 30 s while attempts fail, and each death and restart is
 * logged at warn so the terminal says so. Meanwhile `alive` is false, which readiness reports.
 */
export async function superviseChromaChild(options: ChromaSupervisorOptions): Promise<SupervisedChroma> {
  const { dataDir, logger } = options;
  const initial = options.initialBackoffMs ?? 1_000;
  const max = options.maxBackoffMs ?? 30_000;
  let current: ChromaChild = await startChromaChild(dataDir);
  const port = Number(new URL(current.url).port);
  let alive = true;
  let restarts = 0;
  let stopping = false;
  const stopped = new AbortController();

  const watch = async (): Promise<void> => {
    while (!stopping) {
      const { code, signal } = await current.exited;
      if (stopping) return;
      alive = false;
      let backoff = 0;
      for (;;) {
        backoff = nextBackoffMs(backoff, initial, max);
        logger.warn('the Chroma server stopped unexpectedly; restarting it', {
          exit_code: code,
          signal,
          retry_in_ms: backoff,
        });
        try {
          await sleep(backoff, undefined, { signal: stopped.signal });
        } catch {
          return; // stopping
        }
        try {
          current = await startChromaChild(dataDir, { port });
          break;
        } catch (error) {
          logger.warn('the Chroma server could not be restarted yet', { error });
          if (stopping) return;
        }
      }
      alive = true;
      restarts++;
      logger.warn('the Chroma server was restarted', { url: current.url, restarts });
    }
  };
  const watching = watch();

  return {
    url: current.url,
    get alive() {
      return alive;
    },
    get restarts() {
      return restarts;
    },
    stop: async () => {
      stopping = true;
      stopped.abort();
      await current.stop();
      await watching;
    },
  };
}

/** A required readiness check on the supervised child: not ready while it is dead or restarting. */
export function chromaChildReadiness(chroma: Pick<SupervisedChroma, 'alive'>): ReadinessCheck {
  return {
    name: 'chroma-child',
    check: () =>
      chroma.alive
        ? Promise.resolve()
        : Promise.reject(new DependencyError('chroma', 'the Chroma server is down; myragdb up is restarting it')),
  };
}
