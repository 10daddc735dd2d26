/**
 * A work queue with client-go's guarantees: a key is queued at most once however often it is added (dedupe), and
 * never handed to two workers at once; a key added while being processed is queued again when its worker is done.
 * Retries go through the rate limiter; delayed adds keep only the earliest pending time per key.
 */
import type { RateLimiter } from './rate-limiter.js';

export interface QueueMetrics {
  depth(value: number): void;
  added(): void;
  retried(): void;
  queued(seconds: number): void;
  worked(seconds: number): void;
}

const noMetrics: QueueMetrics = { depth() {}, added() {}, retried() {}, queued() {}, worked() {} };

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly rateLimiter: RateLimiter,
    private readonly metrics: QueueMetrics = noMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.added();
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.metrics.retried();
    this.addAfter(key, this.rateLimiter.when(key, Date.now()));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  failures(key: string): number {
    return this.rateLimiter.failures(key);
  }

  /** The next key, waiting if none is ready; `undefined` once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.worked((this.now() - started) / 1000);
    if (this.dirty.has(key)) this.enqueue(key);
  }

  get length(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private enqueue(key: string): void {
    this.addedAt.set(key, this.now());
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.metrics.depth(this.queue.length);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.queued((this.now() - added) / 1000);
    this.startedAt.set(key, this.now());
    this.metrics.depth(this.queue.length);
    return key;
  }
}
