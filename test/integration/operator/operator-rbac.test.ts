/**
 * Least privilege, proven: the operator runs with a ServiceAccount token that has only the generated RBAC rules
 * (the namespaced Role, then the ClusterRole) and still takes a MyRAGDB through creation, readiness, reindexing and
 * deletion. A permission missing from kube/resources.ts shows up here as a forbidden error.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { ConditionType } from '../../../operator/src/api/v1alpha1/conditions.js';
import type { KubeObject } from '../../../operator/src/kube/kube-object.js';
import { startOperator } from '../../../operator/src/main.js';
import { buildRbacManifests, OPERATOR_NAME } from '../../../operator/src/rbac/rbac.js';
import { createLogger } from '../../../services/core/src/logging.js';
import {
  applyMyRAGDB,
  createVolumes,
  deleteAndWait,
  FAST_ELECTION,
  waitForCondition,
  operatorSuite,
} from './operator-harness.js';

const RBAC_PATHS: Record<string, (namespace: string) => string> = {
  ServiceAccount: (namespace) => `/api/v1/namespaces/${namespace}/serviceaccounts`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: (namespace) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`,
  RoleBinding: (namespace) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
};

describe('operator RBAC (real API server, ServiceAccount token)', function () {
  // Each scenario waits on real controllers (rollouts, Jobs, garbage collection).
  this.timeout(180_000);
  const suite = operatorSuite();

  /** Creates the generated manifests of the given kinds (cluster-scoped names made unique) and a token for the SA. */
  async function serviceAccountKubeConfig(namespace: string, kinds: string[]): Promise<KubeConfig> {
    for (const manifest of buildRbacManifests(namespace) as KubeObject[]) {
      if (!kinds.includes(manifest.kind)) continue;
      // Cluster-scoped names get the namespace appended so each test has its own.
      const unique = (name: string) => (manifest.kind.startsWith('Cluster') ? `${name}-${namespace}` : name);
      const body = {
        ...manifest,
        metadata: { ...manifest.metadata, name: unique(manifest.metadata.name) },
        ...(manifest.kind === 'ClusterRoleBinding'
          ? { roleRef: { ...(manifest.roleRef as object), name: `${OPERATOR_NAME}-${namespace}` } }
          : {}),
      };
      await suite.client.request({ method: 'POST', path: RBAC_PATHS[manifest.kind]!(namespace), body });
    }
    const request = await suite.client.request<{ status: { token: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${OPERATOR_NAME}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const cluster = suite.cp.kubeConfig.getCurrentCluster()!;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ ...cluster, name: 'cp' }],
      users: [{ name: OPERATOR_NAME, token: request.status.token }],
      contexts: [{ name: 'sa', cluster: 'cp', user: OPERATOR_NAME }],
      currentContext: 'sa',
    });
    return kubeConfig;
  }

  async function runAs(kubeConfig: KubeConfig, leaseNamespace: string, watchNamespace: string | undefined) {
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const operator = await startOperator({
      kubeConfig,
      logger: createLogger({ service: 'operator', level: 'warn', format: 'json', stream: logs }),
      ...(watchNamespace ? { namespace: watchNamespace } : {}),
      workers: 2,
      resyncPeriodMs: 30_000,
      instance: `rbac-${leaseNamespace}`,
      notReadyRequeueMs: 1000,
      defaultMetrics: false,
      leaderElection: {
        namespace: leaseNamespace,
        name: OPERATOR_NAME,
        identity: `rbac-${leaseNamespace}`,
        ...FAST_ELECTION,
      },
    });
    suite.track(operator);
    return { operator, logs: () => text };
  }

  async function exercise(namespace: string, logs: () => string) {
    await createVolumes(suite.client, 3);
    await applyMyRAGDB(suite.client, namespace, {
      metadata: { name: 'least' },
      spec: {
        deletionPolicy: 'Delete',
        searchGateway: { autoscaling: { maxReplicas: 3 }, ingress: { host: 'least.example.com' } },
        reindex: { schedule: '@daily', requestId: 'once' },
      },
    });
    await waitForCondition(suite.client, namespace, 'least', ConditionType.Ready, 'True', 120_000);
    await waitForCondition(suite.client, namespace, 'least', ConditionType.ReindexSucceeded, 'True', 60_000);
    await deleteAndWait(suite.client, namespace, 'least', 60_000);
    // RBAC denials only: a namespace that other suites are tearing down also answers 403 ("being terminated").
    const denials = logs()
      .split('\n')
      .filter((line) => /forbidden/i.test(line) && !/being terminated/.test(line));
    assert.deepEqual(denials, [], 'the operator hit a permission it does not have');
  }

  it('namespaced mode works with only the generated Role', async function () {
    this.timeout(240_000);
    const namespace = await suite.namespace('rbac-ns');
    const kubeConfig = await serviceAccountKubeConfig(namespace, ['ServiceAccount', 'Role', 'RoleBinding']);
    const { logs } = await runAs(kubeConfig, namespace, namespace);
    await exercise(namespace, logs);
  });

  it('cluster-wide mode works with only the generated ClusterRole', async function () {
    this.timeout(240_000);
    const namespace = await suite.namespace('rbac-cluster');
    const kubeConfig = await serviceAccountKubeConfig(namespace, [
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    // The Lease lives in the operator's namespace; the MyRAGDB is watched wherever it is.
    const { logs } = await runAs(kubeConfig, namespace, undefined);
    await exercise(namespace, logs);
  });
});
