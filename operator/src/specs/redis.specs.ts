/**
 * The optional Redis of `stores.redis.managed`: one Deployment and a ClusterIP Service. It holds rate-limit
 * counters and cached search answers, which may be lost at any time, so it has no volume and never saves to disk;
 * beyond `maxMemory` the least recently used keys are evicted. Its password is generated into a Secret and reaches
 * the gateways as REDIS_PASSWORD, never inside a URL.
 */
import type { V1Deployment, V1EnvVar, V1Service } from '@kubernetes/client-node';
import type { BuildContext, Desired } from './build-context.js';
import { stableHash } from './hash.js';
import { Annotations, childMetadata, childName, instanceLabels, Names, selectorLabels } from './names.js';
import { containerSecurityContext, podSecurityContext, resourcesOrDefault, scratchVolumes } from './pod.specs.js';
import { SecretKeys } from './secrets.specs.js';

export const REDIS_COMPONENT = 'redis';
export const REDIS_PORT = 6379;
/** The redis user of the official image. */
const REDIS_UID = 999;

export function redisUrl(context: BuildContext): string | undefined {
  const redis = context.spec.stores.redis;
  if (redis?.external) return redis.external.url;
  return redis?.managed ? `redis://${childName(context.owner, REDIS_COMPONENT)}:${REDIS_PORT}` : undefined;
}

/** REDIS_PASSWORD for the gateways: the generated one, or the external Redis' Secret when it has one. */
export function redisPasswordEnv(context: BuildContext): V1EnvVar | undefined {
  const { owner, spec } = context;
  const redis = spec.stores.redis;
  const reference = redis?.managed
    ? { name: Names.storeCredentials(owner, REDIS_COMPONENT), key: SecretKeys.redisPassword }
    : redis?.external?.secretRef;
  return reference && { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: reference } };
}

export function buildRedis(context: BuildContext): (Desired<V1Deployment> | Desired<V1Service>)[] {
  const { owner, spec } = context;
  const managed = spec.stores.redis?.managed;
  if (!managed) return [];
  const name = childName(owner, REDIS_COMPONENT);
  const scratch = scratchVolumes({ data: '/data' });
  const env = [redisPasswordEnv(context)!];
  const args = [
    ...['--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    ...['--maxmemory', managed.maxMemory, '--maxmemory-policy', 'allkeys-lru'],
    // Kubernetes expands $(REDIS_PASSWORD) from the env: the password is in no pod spec.
    ...['--requirepass', '$(REDIS_PASSWORD)'],
  ];
  const deployment: Desired<V1Deployment> = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(owner, name, REDIS_COMPONENT),
    spec: {
      replicas: 1,
      // Never two at once: a second Redis would split the counters until the first one is gone.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(owner, REDIS_COMPONENT) },
      template: {
        metadata: {
          labels: instanceLabels(owner, REDIS_COMPONENT),
          annotations: { [Annotations.configHash]: stableHash({ env, args, image: managed.image }) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(REDIS_UID),
          containers: [
            {
              name: REDIS_COMPONENT,
              image: managed.image,
              imagePullPolicy: 'IfNotPresent',
              args,
              env,
              ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
              resources: resourcesOrDefault(managed.resources, 'redis'),
              securityContext: containerSecurityContext,
              readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5, timeoutSeconds: 2 },
              livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10, initialDelaySeconds: 10 },
              volumeMounts: scratch.mounts,
            },
          ],
          volumes: scratch.volumes,
        },
      },
    },
  };
  const service: Desired<V1Service> = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(owner, name, REDIS_COMPONENT),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(owner, REDIS_COMPONENT),
      ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis', protocol: 'TCP' }],
    },
  };
  return [service, deployment];
}
