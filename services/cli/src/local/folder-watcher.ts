/**
 * `myragdb up` watches the folders of its local repositories (@parcel/watcher: inotify on Linux, FSEvents on macOS,
 * one native subscription per folder) and asks for a sync of a repository shortly after files in it change, so a
 * saved file is searchable in seconds instead of at the next periodic sync. A sync is incremental (content hashes),
 * so a burst of saves costs one sync of the changed files.
 */
import { subscribe, type AsyncSubscription } from '@parcel/watcher';
import type { Logger } from '../../../core/src/logging.js';

export interface WatchedFolder {
  repository: string;
  path: string;
}

export interface FolderWatcherOptions {
  /** Queues a sync of the repository; duplicates are merged by the job queue. */
  requestSync(repository: string): Promise<unknown>;
  logger: Logger;
  /** Quiet time after the last change before the sync is asked for. */
  debounceMs?: number;
  /** A folder that never stops changing (a build writing into it) is still synced this often. */
  maxWaitMs?: number;
  /**
   * Absolute paths whose changes are not a reason to sync: above all `up`'s own data dir, which is `.myragdb` inside
   * the folder by default and is written by every sync (a loop otherwise). @parcel/watcher drops events under them
   * itself, absolute paths and nested folders included.
   */
  ignore?: readonly string[];
}

/** Never worth a sync: version control internals and dependency trees the indexer skips anyway. */
const IGNORED = ['.git', 'node_modules', '**/.git', '**/node_modules'];

export class FolderWatcher {
  private readonly watched = new Map<string, { path: string; subscription: AsyncSubscription }>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; since: number }>();
  private closed = false;

  constructor(private readonly options: FolderWatcherOptions) {}

  /** Watches exactly these folders: new ones are subscribed, ones no longer listed (or moved) are dropped. */
  async watch(folders: readonly WatchedFolder[]): Promise<void> {
    const wanted = new Map(folders.map((folder) => [folder.repository, folder.path]));
    for (const [repository, current] of this.watched) {
      if (wanted.get(repository) === current.path) continue;
      this.watched.delete(repository);
      await current.subscription.unsubscribe();
    }
    for (const [repository, path] of wanted) {
      if (this.closed || this.watched.has(repository)) continue;
      try {
        const subscription = await subscribe(
          path,
          (error, events) => {
            if (error) this.options.logger.warn('folder watch error', { repository, error: error.message });
            else if (events.length > 0) this.changed(repository);
          },
          { ignore: [...IGNORED, ...(this.options.ignore ?? [])] },
        );
        this.watched.set(repository, { path, subscription });
      } catch (error) {
        // A folder that is gone or unreadable is reported by its next sync; it is simply not watched.
        this.options.logger.warn('cannot watch folder; it is synced periodically only', {
          repository,
          path,
          error: (error as Error).message,
        });
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    await Promise.all([...this.watched.values()].map(({ subscription }) => subscription.unsubscribe()));
    this.watched.clear();
  }

  private changed(repository: string): void {
    const debounceMs = this.options.debounceMs ?? 300;
    const maxWaitMs = this.options.maxWaitMs ?? 2_000;
    const now = performance.now();
    const previous = this.pending.get(repository);
    if (previous) clearTimeout(previous.timer);
    const since = previous?.since ?? now;
    const delay = Math.max(0, Math.min(debounceMs, since + maxWaitMs - now));
    const timer = setTimeout(() => {
      this.pending.delete(repository);
      if (this.closed) return;
      this.options.requestSync(repository).catch((error: unknown) =>
        this.options.logger.warn('could not queue a sync after a change', {
          repository,
          error: (error as Error).message,
        }),
      );
    }, delay);
    this.pending.set(repository, { timer, since });
  }
}
