/**
 * Instance discovery through a real kube-apiserver: the health service lists the EndpointSlices of the gateway and
 * indexer Services (as its RBAC allows: list endpointslices in its namespace) and probes every endpoint, ready or
 * not, but never terminating ones.
 */
import assert from 'node:assert/strict';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, type V1Endpoint } from '@kubernetes/client-node';
import { KubernetesDiscovery } from '../../../services/health/src/discovery/kubernetes.discovery.js';
import { createTestNamespace, deleteTestNamespace, useControlPlane } from '../../support/control-plane.js';
import { freePort } from '../../support/ports.js';

describe('KubernetesDiscovery against a real API server', function () {
  this.timeout(60_000);
  let kc: KubeConfig;
  let namespace = '';

  before(async function () {
    kc = (await useControlPlane(this)).kubeConfig;
    namespace = await createTestNamespace(kc, 'health');
  });
  after(async () => {
    if (namespace) await deleteTestNamespace(kc, namespace);
  });

  async function service(name: string, endpoints: V1Endpoint[], port = 3002) {
    await kc.makeApiClient(CoreV1Api).createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { ports: [{ name: 'http', port, targetPort: port }] } },
    });
    await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: `${name}-abc`, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port, protocol: 'TCP' }],
        endpoints,
      },
    });
  }
  const pod = (name: string, ip: string, conditions: V1Endpoint['conditions']): V1Endpoint => ({
    addresses: [ip],
    conditions,
    targetRef: { kind: 'Pod', name, namespace },
  });

  it('lists every non-terminating endpoint of each Service, ready or not, named by pod', async () => {
    await service('myragdb-search-gateway', [
      pod('gw-1', '10.1.0.11', { ready: true }),
      pod('gw-2', '10.1.0.12', { ready: false }),
      pod('gw-old', '10.1.0.13', { ready: false, terminating: true }),
    ]);
    await service('myragdb-indexer', [pod('idx-1', '10.1.0.21', { ready: true })], 3003);
    await service('unrelated', [pod('other', '10.1.0.31', { ready: true })]);

    const discovery = new KubernetesDiscovery(kc, namespace, [
      { kind: 'search-gateway', service: 'myragdb-search-gateway' },
      { kind: 'indexer', service: 'myragdb-indexer', portName: 'http' },
    ]);
    const instances = await discovery.discover();
    assert.deepEqual(
      instances.sort((a, b) => a.id.localeCompare(b.id)),
      [
        { kind: 'search-gateway', url: 'http://10.1.0.11:3002', id: 'gw-1' },
        { kind: 'search-gateway', url: 'http://10.1.0.12:3002', id: 'gw-2' },
        { kind: 'indexer', url: 'http://10.1.0.21:3003', id: 'idx-1' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('finds nothing for a Service without endpoints or without the named port', async () => {
    const empty = new KubernetesDiscovery(kc, namespace, [{ kind: 'indexer', service: 'does-not-exist' }]);
    assert.deepEqual(await empty.discover(), []);
    const wrongPort = new KubernetesDiscovery(kc, namespace, [
      { kind: 'indexer', service: 'myragdb-indexer', portName: 'grpc' },
    ]);
    assert.deepEqual(await wrongPort.discover(), []);
  });

  it('rejects with the connection error when the API server is unreachable', async () => {
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: 'gone', server: `https://127.0.0.1:${await freePort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
      currentContext: 'c',
    });
    const discovery = new KubernetesDiscovery(unreachable, namespace, [
      { kind: 'indexer', service: 'myragdb-indexer' },
    ]);
    await assert.rejects(discovery.discover(), /ECONNREFUSED/);
  });
});
