/** The three MyRAGDB services (search gateway, indexer, health) as Deployments and Services, plus the Ingress. */
import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Ingress,
  V1PodTemplateSpec,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { BuildContext, Desired } from './build-context.js';
import { HEALTH_PATHS, SERVICE_COMMANDS, SERVICE_PORT, SERVICE_UID, ServiceComponent } from './components.js';
import { buildConfigHash, buildSecretEnv } from './config.specs.js';
import { keywordEngines } from './keyword-engine.js';
import { servingVersion } from './rollout.js';
import { repositoryMountPath } from './repositories.specs.js';
import { Annotations, childMetadata, childName, instanceLabels, Labels, Names, selectorLabels } from './names.js';
import {
  containerSecurityContext,
  httpProbe,
  podSecurityContext,
  resourcesOrDefault,
  SERVICE_SCRATCH,
} from './pod.specs.js';

const RESOURCE_KEYS = {
  [ServiceComponent.Gateway]: 'gateway',
  [ServiceComponent.Indexer]: 'indexer',
  [ServiceComponent.Health]: 'health',
} as const;

/** The services' image at `version`, by default the version that serves now (see migration.specs.ts). */
export function serviceImage(context: BuildContext, version = servingVersion(context)): string {
  return `${context.spec.image}:${version}`;
}

function componentResources(context: BuildContext, component: ServiceComponent) {
  const { spec } = context;
  const given = {
    [ServiceComponent.Gateway]: spec.searchGateway.resources,
    [ServiceComponent.Indexer]: spec.indexer.resources,
    [ServiceComponent.Health]: spec.health.resources,
  }[component];
  return resourcesOrDefault(given, RESOURCE_KEYS[component]);
}

/**
 * Volume repositories, mounted read-only where files are read: the indexer (and reindex jobs) to index them, the
 * gateway to validate their paths and serve file contents. Several pods mount each claim: use ReadOnlyMany claims.
 */
function repositoryVolumes(context: BuildContext): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const sources = context.spec.repositories.flatMap((repository) =>
    repository.volume ? [{ ...repository.volume, name: repository.name }] : [],
  );
  return {
    volumes: sources.map((source) => ({
      name: `repo-${source.name}`,
      persistentVolumeClaim: { claimName: source.claimName, readOnly: true },
    })),
    mounts: sources.map((source) => ({
      name: `repo-${source.name}`,
      mountPath: repositoryMountPath(source.name),
      readOnly: true,
    })),
  };
}

/** The indexer (and its reindex jobs) writes into the new keyword engine while searches keep the old one. */
function indexingEngineEnv(context: BuildContext, component: ServiceComponent): V1EnvVar[] {
  const engines = keywordEngines(context.spec.keywordEngine, context.observed.keywordEngine);
  if (component !== ServiceComponent.Indexer || engines.indexing === engines.serving) return [];
  return [{ name: 'KEYWORD_ENGINE', value: engines.indexing }];
}

/**
 * The pod template of a service, also used by the reindex jobs (`command` replaced). Carries the config hash, so
 * any configuration change rolls the pods.
 */
export function buildServicePodTemplate(
  context: BuildContext,
  component: ServiceComponent,
  options: { command?: string[]; probes?: boolean; extraLabels?: Record<string, string>; version?: string } = {},
): V1PodTemplateSpec {
  const { owner } = context;
  const version = options.version ?? servingVersion(context);
  const withRepositories = component !== ServiceComponent.Health;
  const repositories = withRepositories ? repositoryVolumes(context) : { volumes: [], mounts: [] };
  const probes = options.probes ?? true;
  const container: V1Container = {
    name: component,
    image: serviceImage(context, version),
    imagePullPolicy: 'IfNotPresent',
    command: options.command ?? SERVICE_COMMANDS[component],
    ports: [{ name: 'http', containerPort: SERVICE_PORT, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: Names.config(owner) } }],
    env: [...buildSecretEnv(context), ...indexingEngineEnv(context, component)],
    resources: componentResources(context, component),
    securityContext: containerSecurityContext,
    volumeMounts: [...SERVICE_SCRATCH.mounts, ...repositories.mounts],
    ...(probes
      ? {
          startupProbe: httpProbe(HEALTH_PATHS.live, 'http', { periodSeconds: 5, failureThreshold: 60 }),
          livenessProbe: httpProbe(HEALTH_PATHS.live, 'http'),
          readinessProbe: httpProbe(HEALTH_PATHS.ready, 'http', { periodSeconds: 5 }),
        }
      : {}),
  };
  return {
    metadata: {
      labels: { ...instanceLabels(owner, component), [Labels.version]: version, ...options.extraLabels },
      annotations: {
        [Annotations.configHash]: buildConfigHash(context),
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(SERVICE_PORT),
        'prometheus.io/path': HEALTH_PATHS.metrics,
      },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: podSecurityContext(SERVICE_UID),
      terminationGracePeriodSeconds: 30,
      containers: [container],
      volumes: [...SERVICE_SCRATCH.volumes, ...repositories.volumes],
    },
  };
}

function deployment(
  context: BuildContext,
  component: ServiceComponent,
  replicas: number | undefined,
): Desired<V1Deployment> {
  const { owner } = context;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(owner, childName(owner, component), component),
    spec: {
      // Omitted when an autoscaler owns the count, so the apply never fights the HPA.
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selectorLabels(owner, component) },
      // The indexer is the single writer: never two at once.
      strategy:
        component === ServiceComponent.Indexer
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: buildServicePodTemplate(context, component),
    },
  };
}

function service(context: BuildContext, component: ServiceComponent, type = 'ClusterIP'): Desired<V1Service> {
  const { owner } = context;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(owner, childName(owner, component), component),
    spec: {
      type,
      selector: selectorLabels(owner, component),
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Gateway replicas the Deployment should carry: none when the HPA owns them. */
export function gatewayReplicas(context: BuildContext): number | undefined {
  return context.spec.searchGateway.autoscaling ? undefined : context.spec.searchGateway.replicas;
}

export function buildServiceWorkloads(context: BuildContext): (Desired<V1Deployment> | Desired<V1Service>)[] {
  const { spec } = context;
  return [
    deployment(context, ServiceComponent.Gateway, gatewayReplicas(context)),
    service(context, ServiceComponent.Gateway, spec.searchGateway.service.type),
    deployment(context, ServiceComponent.Indexer, spec.indexer.replicas),
    service(context, ServiceComponent.Indexer),
    deployment(context, ServiceComponent.Health, 1),
    service(context, ServiceComponent.Health),
  ];
}

export function buildIngress(context: BuildContext): Desired<V1Ingress>[] {
  const { owner, spec } = context;
  const ingress = spec.searchGateway.ingress;
  if (!ingress) return [];
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: childMetadata(owner, childName(owner, ServiceComponent.Gateway), ServiceComponent.Gateway),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecretName ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
        rules: [
          {
            host: ingress.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: childName(owner, ServiceComponent.Gateway), port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}

/** The in-cluster URL of the search gateway (what status.endpoints.gateway reports). */
export function gatewayEndpoint(context: Pick<BuildContext, 'owner' | 'spec'>): string {
  const { owner, spec } = context;
  if (spec.searchGateway.ingress) {
    return `${spec.searchGateway.ingress.tlsSecretName ? 'https' : 'http'}://${spec.searchGateway.ingress.host}`;
  }
  return gatewayServiceUrl(owner);
}

/** The gateway's cluster-internal URL (its Service), whatever the Ingress says. */
export function gatewayServiceUrl(owner: { name: string; namespace: string }): string {
  return `http://${childName(owner, ServiceComponent.Gateway)}.${owner.namespace}.svc:${SERVICE_PORT}`;
}
