import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/kube-client.js';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { formatMicroTime, formatTime } from '../../src/kube/micro-time.js';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/ns/leases/op';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * A real HTTP server holding one Lease with the API server's rules that matter here: create fails with 409 if it
 * exists, update fails with 409 on a stale resourceVersion, MicroTime fields need six fractional digits (400).
 * `refuse` makes it fail one identity's writes, like a leader cut off from the API server.
 */
class LeaseServer {
  lease: { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined;
  version = 0;
  refuse = new Set<string>();
  private server!: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const send = (status: number, payload: unknown) =>
          response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
        const expected = request.method === 'POST' ? LEASE_PATH.replace(/\/op$/, '') : LEASE_PATH;
        if (request.url !== expected) return send(404, { reason: 'NotFound', message: `unexpected ${request.url}` });
        if (request.method === 'GET') return this.lease ? send(200, this.lease) : send(404, { reason: 'NotFound' });
        const incoming = JSON.parse(body) as {
          metadata: Record<string, unknown>;
          spec: Record<string, string | undefined>;
        };
        if (this.refuse.has(incoming.spec.holderIdentity ?? '')) return send(500, { reason: 'InternalError' });
        for (const field of ['renewTime', 'acquireTime'] as const) {
          const value = incoming.spec[field];
          if (value !== undefined && !MICRO_TIME.test(value))
            return send(400, { reason: 'BadRequest', message: `${field} is not a MicroTime` });
        }
        if (request.method === 'POST') {
          if (this.lease) return send(409, { reason: 'AlreadyExists' });
        } else if (request.method === 'PUT') {
          if (!this.lease || incoming.metadata.resourceVersion !== this.lease.metadata.resourceVersion)
            return send(409, { reason: 'Conflict' });
        } else {
          return send(405, {});
        }
        this.version += 1;
        this.lease = { ...incoming, metadata: { ...incoming.metadata, resourceVersion: String(this.version) } };
        send(request.method === 'POST' ? 201 : 200, this.lease);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('operator leader election (against a real HTTP Lease endpoint)', () => {
  let server: LeaseServer;
  let client: KubeClient;
  const electors: LeaderElector[] = [];

  beforeEach(async () => {
    server = new LeaseServer();
    const url = await server.start();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    client = new KubeClient(kubeConfig);
  });
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((elector) => elector.stop()));
    await server.stop();
  });

  function candidate(identity: string, log: string[]) {
    const elector = new LeaderElector({
      client,
      namespace: 'ns',
      name: 'op',
      identity,
      leaseDurationMs: 1000,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      logger: { info() {}, warn() {} },
      onStartedLeading: () => log.push(`${identity} leads`),
      onStoppedLeading: () => log.push(`${identity} stops`),
    });
    electors.push(elector);
    return elector;
  }

  async function until(check: () => boolean, what: string, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  it('exactly one of two candidates leads, writing MicroTime with six fractional digits', async () => {
    const log: string[] = [];
    const a = candidate('a', log);
    const b = candidate('b', log);
    a.start();
    b.start();
    await until(() => a.isLeader || b.isLeader, 'a leader');
    await sleep(500);
    assert.equal([a, b].filter((elector) => elector.isLeader).length, 1);
    assert.equal(log.length, 1);
    assert.match(String(server.lease?.spec.renewTime), MICRO_TIME);
    assert.equal(server.lease?.spec.leaseDurationSeconds, 1);
  });

  it('a clean stop releases the lease and the standby takes over at once', async () => {
    const log: string[] = [];
    const a = candidate('a', log);
    a.start();
    await until(() => a.isLeader, 'a to lead');
    const b = candidate('b', log);
    b.start();
    await sleep(300);
    assert.equal(b.isLeader, false);
    await a.stop();
    assert.equal(server.lease?.spec.holderIdentity, undefined, 'released');
    await until(() => b.isLeader, 'b to take over', 2000);
    assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
    assert.equal(server.lease?.spec.leaseTransitions, 1);
  });

  it('a leader that cannot renew steps down; the standby waits for the lease to expire, then leads', async () => {
    const log: string[] = [];
    const a = candidate('a', log);
    a.start();
    await until(() => a.isLeader, 'a to lead');
    const b = candidate('b', log);
    b.start();
    server.refuse.add('a');
    const cutOff = Date.now();
    await until(() => log.includes('a stops'), 'a to step down');
    await until(() => b.isLeader, 'b to lead');
    // b must not take over before a's lease (1 s) could have expired as b observed it.
    assert.ok(Date.now() - cutOff >= 900, `b led after ${Date.now() - cutOff} ms`);
    assert.equal(a.isLeader, false);
    assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
  });

  it('rejects timings where renewing could outlast the lease', () => {
    assert.throws(
      () =>
        new LeaderElector({
          client,
          namespace: 'ns',
          name: 'op',
          identity: 'x',
          leaseDurationMs: 1000,
          renewDeadlineMs: 2000,
          logger: { info() {}, warn() {} },
          onStartedLeading() {},
          onStoppedLeading() {},
        }),
      /retryPeriod < renewDeadline < leaseDuration/,
    );
  });
});

describe('operator MicroTime', () => {
  it('formats six fractional digits for MicroTime and whole seconds for Time', () => {
    const date = new Date('2026-11-26T07:00:00.123Z');
    assert.equal(formatMicroTime(date), '2026-11-26T07:00:00.123000Z');
    assert.equal(formatTime(date), '2026-11-26T07:00:00Z');
  });
});
