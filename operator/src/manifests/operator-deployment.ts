/** The operator's own in-cluster Deployment: two replicas behind leader election, probes on its probe port. */
import { DEFAULT_IMAGE, DEFAULT_VERSION } from '../api/v1alpha1/defaults.js';
import { OPERATOR_NAME } from '../rbac/rbac.js';
import { containerSecurityContext, podSecurityContext } from '../specs/pod.specs.js';
import { SERVICE_UID } from '../specs/components.js';

/**
 * V8's heap limit inside the container's 256Mi: without it V8 sizes its heap from the node's memory and lets
 * garbage pile up past the limit (499 MB resident at 500 instances in bench:operator), and the pod is OOM-killed.
 * The small young generation is the image's default (see docker/Dockerfile).
 */
export const OPERATOR_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=160';

export const OPERATOR_PROBE_PORT = 8081;

export function buildOperatorDeployment(namespace: string): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': OPERATOR_NAME, 'app.kubernetes.io/part-of': 'myragdb' };
  const probe = (path: string) => ({ httpGet: { path, port: 'probes' }, periodSeconds: 10, timeoutSeconds: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPERATOR_NAME, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: OPERATOR_NAME,
          securityContext: podSecurityContext(SERVICE_UID),
          containers: [
            {
              name: 'operator',
              image: `${DEFAULT_IMAGE}:${DEFAULT_VERSION}`,
              command: ['node', 'dist/services/cli/src/main.js', 'operator', 'run'],
              args: [`--probe-address=0.0.0.0:${OPERATOR_PROBE_PORT}`],
              env: [
                { name: 'LOG_FORMAT', value: 'json' },
                { name: 'NODE_OPTIONS', value: OPERATOR_NODE_OPTIONS },
              ],
              ports: [{ name: 'probes', containerPort: OPERATOR_PROBE_PORT }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: containerSecurityContext,
            },
          ],
        },
      },
    },
  };
}
