/**
 * A list+watch cache that survives its connection: client-node's ListWatch does the listing, watching and 410
 * relisting; this wrapper adds what it leaves to callers — restart with jittered backoff after an error (ListWatch
 * stops for good on one), server-side watch timeouts so a silently dead connection is replaced, bookmarks, a
 * periodic resync that re-delivers every cached object, and a `synced` signal after the first complete list.
 */
import {
  ADD,
  DELETE,
  ERROR,
  ListWatch,
  UPDATE,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';
import type { KubeList, KubeObject } from './kube-object.js';
import { jitteredBackoff } from './rate-limiter.js';

export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';

export interface InformerLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface InformerOptions<T extends KubeObject> {
  name: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** Collection path, e.g. /apis/apps/v1/namespaces/x/deployments or /apis/apps/v1/deployments. */
  path: string;
  labelSelector?: string;
  resyncPeriodMs: number;
  /** The API server ends each watch after this long (client-go uses 5–10 min) and the informer re-watches. */
  watchTimeoutSeconds?: number;
  backoff?: { baseMs: number; maxMs: number };
  logger: InformerLogger;
  onEvent(event: InformerEvent, object: T): void;
  /** Called on every (re)start after a failure, for metrics and tests. */
  onRestart?(error: unknown, delayMs: number): void;
}

export class Informer<T extends KubeObject> {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private stopped = true;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resolveSynced!: () => void;
  private isSynced = false;
  /** Resolves after the first complete list. */
  readonly synced: Promise<void>;

  constructor(private readonly options: InformerOptions<T>) {
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
    const timeout = options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const watchPath = `${options.path}?timeoutSeconds=${timeout}&allowWatchBookmarks=true`;
    this.listWatch = new ListWatch(
      watchPath,
      new Watch(options.kubeConfig),
      () => this.fetchList() as Promise<KubernetesListObject<KubernetesObject>>,
      false,
      options.labelSelector,
    );
    const deliver = (event: InformerEvent) => (object: KubernetesObject) => {
      this.attempt = 0;
      // ListWatch caches this same object; see withoutManagedFields.
      withoutManagedFields(object);
      options.onEvent(event, object as T);
    };
    this.listWatch.on(ADD, deliver('add'));
    this.listWatch.on(UPDATE, deliver('update'));
    this.listWatch.on(DELETE, deliver('delete'));
    this.listWatch.on(ERROR, (error: unknown) => this.scheduleRestart(error));
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.launch();
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncPeriodMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.resyncTimer);
    // ListWatch reports its own abort as an ERROR; `stopped` makes scheduleRestart ignore it.
    await this.listWatch.stop();
  }

  /** Cached objects (all namespaces). */
  list(): T[] {
    return this.listWatch.list() as T[];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  private async fetchList(): Promise<KubeList<T> & { items: T[] }> {
    const list = await this.options.client.get<KubeList<T>>(this.options.path, {
      labelSelector: this.options.labelSelector,
    });
    this.attempt = 0;
    if (!this.isSynced) {
      // ListWatch fills its cache synchronously once this promise settles; report synced only after that.
      setImmediate(() => {
        this.isSynced = true;
        this.resolveSynced();
      });
    }
    return { ...list, items: (list.items ?? []).map(withoutManagedFields) };
  }

  private launch(): void {
    this.listWatch.start().catch((error: unknown) => this.scheduleRestart(error));
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped) return;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const delayMs = Math.max(baseMs, jitteredBackoff(this.attempt, baseMs, maxMs));
    this.attempt += 1;
    this.options.logger.warn('watch failed; restarting', {
      informer: this.options.name,
      delayMs,
      error: error instanceof Error ? error.message : String(error),
    });
    this.options.onRestart?.(error, delayMs);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) this.launch();
    }, delayMs);
    this.restartTimer.unref();
  }

  private resync(): void {
    for (const object of this.list()) this.options.onEvent('resync', object);
  }
}

/**
 * Drops `metadata.managedFields` from a cached object, as controller-runtime's TransformStripManagedFields does:
 * server-side apply makes them the largest part of every child, the operator never reads them from the cache, and
 * at hundreds of instances they were most of its memory.
 */
function withoutManagedFields<O extends { metadata?: { managedFields?: unknown } }>(object: O): O {
  if (object.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}
