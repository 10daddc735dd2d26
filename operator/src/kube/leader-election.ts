/**
 * Lease-based leader election (coordination.k8s.io/v1), client-go's algorithm: a candidate takes the Lease when
 * nobody holds it or the holder has not renewed it for a lease duration *as observed locally* (so clock skew
 * between nodes does not matter); the leader renews every retry period and steps down if it could not renew
 * within the renew deadline. Updates carry the resourceVersion, so two candidates can never both win.
 * On a clean stop the leader releases the Lease so a standby takes over at once.
 */
import { isStatus, type KubeClient } from './kube-client.js';
import { formatMicroTime } from './micro-time.js';
import { Resources, resourcePath } from './resources.js';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: {
    info(message: string, meta?: Record<string, unknown>): void;
    warn(message: string, meta?: Record<string, unknown>): void;
  };
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => Date;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private observed: { key: string; at: number } | undefined;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.retryPeriodMs < this.renewDeadlineMs && this.renewDeadlineMs < this.leaseDurationMs)) {
      throw new RangeError('leader election needs retryPeriod < renewDeadline < leaseDuration');
    }
    this.now = options.now ?? (() => new Date());
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops campaigning; a leader steps down and releases the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    if (this.leading) {
      this.leading = false;
      this.options.onStoppedLeading();
      await this.release().catch((error: unknown) =>
        this.options.logger.warn('could not release the leader lease', { error: String(error) }),
      );
    }
  }

  private get path(): string {
    return resourcePath(Resources.Lease, this.options.namespace, this.options.name);
  }

  private async loop(): Promise<void> {
    let lastRenew = 0;
    while (!this.stopped) {
      const acquired = await this.tryAcquireOrRenew().catch((error: unknown) => {
        this.options.logger.warn('leader election request failed', { error: String(error) });
        return false;
      });
      if (this.stopped) break;
      const nowMs = this.now().getTime();
      if (acquired) {
        lastRenew = nowMs;
        if (!this.leading) {
          this.leading = true;
          this.options.logger.info('became the leader', { lease: this.options.name, identity: this.options.identity });
          this.options.onStartedLeading();
        }
      } else if (this.leading && nowMs - lastRenew >= this.renewDeadlineMs) {
        this.leading = false;
        this.options.logger.warn('lost the leader lease', { lease: this.options.name });
        this.options.onStoppedLeading();
      }
      await this.sleep(this.retryPeriodMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const spec: LeaseSpec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    const existing = await this.options.client.find<Lease>(this.path);
    if (!existing) {
      return this.write('POST', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec,
      });
    }
    const record = existing.spec ?? {};
    const key = `${record.holderIdentity ?? ''}|${record.renewTime ?? ''}|${existing.metadata.resourceVersion ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, at: now.getTime() };
    const heldByOther = Boolean(record.holderIdentity) && record.holderIdentity !== this.options.identity;
    const expiresAt = this.observed.at + (record.leaseDurationSeconds ?? 0) * 1000;
    if (heldByOther && expiresAt > now.getTime()) return false;
    const wasMine = record.holderIdentity === this.options.identity;
    return this.write('PUT', {
      ...existing,
      spec: {
        ...spec,
        acquireTime: wasMine && record.acquireTime ? record.acquireTime : spec.acquireTime,
        leaseTransitions: (record.leaseTransitions ?? 0) + (wasMine ? 0 : 1),
      },
    });
  }

  private async write(method: 'POST' | 'PUT', lease: Lease): Promise<boolean> {
    try {
      const path = method === 'POST' ? resourcePath(Resources.Lease, this.options.namespace) : this.path;
      const written = await this.options.client.request<Lease>({ method, path, body: lease });
      this.observed = {
        key: `${written.spec?.holderIdentity ?? ''}|${written.spec?.renewTime ?? ''}|${written.metadata.resourceVersion ?? ''}`,
        at: this.now().getTime(),
      };
      return true;
    } catch (error) {
      // Someone else wrote first (409), or created it first: not ours this round.
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const existing = await this.options.client.find<Lease>(this.path);
    if (!existing || existing.spec?.holderIdentity !== this.options.identity) return;
    await this.options.client.request({
      method: 'PUT',
      path: this.path,
      body: {
        ...existing,
        spec: {
          ...existing.spec,
          holderIdentity: undefined,
          leaseDurationSeconds: 1,
          renewTime: formatMicroTime(this.now()),
        },
      },
    });
  }
}
