import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { Informer, type InformerEvent } from '../../src/kube/informer.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';

const PATH = '/apis/example.io/v1/namespaces/ns/things';
const thing = (name: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'example.io/v1',
  kind: 'Thing',
  metadata: { name, namespace: 'ns', resourceVersion },
});

type WatchBehaviour = (response: http.ServerResponse, request: http.IncomingMessage) => void;

/**
 * A real HTTP server speaking the API server's list and watch protocol, scripted per test: each watch request
 * takes the next behaviour (stream events, drop the socket, answer 410...).
 */
class FakeListWatchServer {
  items: KubeObject[] = [];
  listResourceVersion = '10';
  listStatus = 200;
  readonly lists: string[] = [];
  readonly watches: URLSearchParams[] = [];
  readonly behaviours: WatchBehaviour[] = [];
  private readonly open = new Set<http.ServerResponse>();
  private server!: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      const url = new URL(request.url!, 'http://localhost');
      if (url.pathname !== PATH) return void response.writeHead(404).end();
      if (url.searchParams.get('watch') !== 'true') {
        this.lists.push(url.search);
        if (this.listStatus !== 200) return void response.writeHead(this.listStatus).end('{"reason":"InternalError"}');
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(
          JSON.stringify({ metadata: { resourceVersion: this.listResourceVersion }, items: this.items }),
        );
      }
      this.watches.push(url.searchParams);
      const behaviour =
        this.behaviours.shift() ?? ((res) => res.writeHead(200, { 'Content-Type': 'application/json' }));
      this.open.add(response);
      response.on('close', () => this.open.delete(response));
      behaviour(response, request);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Writes an event to every open watch stream. */
  emit(type: string, object: unknown): void {
    for (const response of this.open) response.write(`${JSON.stringify({ type, object })}\n`);
  }

  dropConnections(): void {
    for (const response of this.open) response.socket?.destroy();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const quietLogger = { info() {}, warn() {} };

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('operator informer (against a real HTTP list/watch server)', () => {
  let server: FakeListWatchServer;
  let informer: Informer<KubeObject> | undefined;
  let events: [InformerEvent, string][];
  let restarts: number;

  function startInformer(resyncPeriodMs = 60_000) {
    const kubeConfig = new KubeConfig();
    return server.start().then((url) => {
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'u', token: 'test' }],
        contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
        currentContext: 'c',
      });
      informer = new Informer<KubeObject>({
        name: 'things',
        kubeConfig,
        client: new KubeClient(kubeConfig),
        path: PATH,
        resyncPeriodMs,
        watchTimeoutSeconds: 60,
        backoff: { baseMs: 20, maxMs: 100 },
        logger: quietLogger,
        onEvent: (event, object) => events.push([event, object.metadata.name]),
        onRestart: () => (restarts += 1),
      });
      informer.start();
      return informer;
    });
  }

  beforeEach(() => {
    server = new FakeListWatchServer();
    events = [];
    restarts = 0;
  });
  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    await server.stop();
  });

  it('lists, reports synced, then delivers watch events from the list resourceVersion', async () => {
    server.items = [thing('a', '5')];
    const started = await startInformer();
    await started.synced;
    await eventually(() => server.watches.length === 1, 'the watch');
    assert.equal(server.watches[0]!.get('resourceVersion'), '10');
    assert.equal(server.watches[0]!.get('timeoutSeconds'), '60');
    assert.equal(server.watches[0]!.get('allowWatchBookmarks'), 'true');
    server.emit('ADDED', thing('b', '11'));
    server.emit('MODIFIED', thing('a', '12'));
    server.emit('DELETED', thing('b', '13'));
    await eventually(() => events.length === 4, 'four events');
    assert.deepEqual(events, [
      ['add', 'a'],
      ['add', 'b'],
      ['update', 'a'],
      ['delete', 'b'],
    ]);
    assert.deepEqual(
      started.list().map((object) => object.metadata.name),
      ['a'],
    );
  });

  it('a dropped connection resumes the watch from the last resourceVersion, without relisting', async () => {
    const started = await startInformer();
    await started.synced;
    await eventually(() => server.watches.length === 1, 'the watch');
    server.emit('ADDED', thing('b', '11'));
    await eventually(() => events.length === 1, 'the add');
    server.dropConnections();
    await eventually(() => server.watches.length === 2, 'the re-watch');
    assert.equal(server.watches[1]!.get('resourceVersion'), '11');
    assert.equal(server.lists.length, 1, 'no relist after a plain disconnect');
    server.emit('ADDED', thing('c', '12'));
    await eventually(() => events.some(([, name]) => name === 'c'), 'an event after reconnecting');
  });

  it('410 Gone on the watch relists, and objects missing from the new list are deleted', async () => {
    server.items = [thing('a', '5'), thing('b', '6')];
    server.behaviours.push((response) =>
      response.writeHead(410, { 'Content-Type': 'application/json' }).end('{"reason":"Expired"}'),
    );
    const started = await startInformer();
    await started.synced;
    server.items = [thing('a', '5')];
    server.listResourceVersion = '20';
    // The first watch got 410: the informer must list again and watch from the new resourceVersion.
    await eventually(
      () => server.watches.some((params) => params.get('resourceVersion') === '20'),
      'a watch from the relist',
    );
    assert.equal(server.lists.length, 2);
    assert.deepEqual(events, [
      ['add', 'a'],
      ['add', 'b'],
      ['delete', 'b'],
    ]);
  });

  it('an ERROR event with code 410 inside the stream also relists', async () => {
    server.behaviours.push((response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`);
    });
    const started = await startInformer();
    await started.synced;
    await eventually(() => server.lists.length === 2, 'the relist');
  });

  it('an unavailable API server is retried with backoff until it answers', async () => {
    server.listStatus = 503;
    const started = await startInformer();
    await eventually(() => restarts >= 2, 'two restarts');
    assert.equal(started.hasSynced, false);
    server.listStatus = 200;
    server.items = [thing('a', '1')];
    await started.synced;
    assert.deepEqual(events, [['add', 'a']]);
  });

  it('resync re-delivers every cached object periodically', async () => {
    server.items = [thing('a', '1'), thing('b', '2')];
    const started = await startInformer(50);
    await started.synced;
    await eventually(() => events.filter(([event]) => event === 'resync').length >= 4, 'two resyncs');
  });

  it('stop() does not count as a failure and does not reconnect', async () => {
    const started = await startInformer();
    await started.synced;
    await eventually(() => server.watches.length === 1, 'the watch');
    await started.stop();
    await sleep(100);
    assert.equal(restarts, 0);
    assert.equal(server.watches.length, 1);
  });
});
