/**
 * Every Kubernetes resource the operator touches, with the verbs its code uses. Request paths and the generated
 * RBAC rules both come from this one list, so a new call without a verb here fails in tests, not in production.
 */
import { GROUP, PLURAL, VERSION } from '../api/v1alpha1/group.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  verbs: readonly Verb[];
  /** Subresources the operator writes, with their verbs. */
  subresources?: Readonly<Record<string, readonly Verb[]>>;
  /** Why the operator needs it: printed into the generated RBAC manifest. */
  purpose: string;
}

const CHILD_VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'] as const;

export const Resources = {
  MyRAGDB: {
    group: GROUP,
    version: VERSION,
    kind: 'MyRAGDB',
    plural: PLURAL,
    verbs: ['get', 'list', 'watch', 'patch'],
    subresources: { status: ['get', 'patch'], finalizers: ['update'] },
    purpose: 'the custom resource: watch, finalizer, status',
  },
  Deployment: {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    verbs: CHILD_VERBS,
    purpose: 'services',
  },
  StatefulSet: {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    verbs: CHILD_VERBS,
    purpose: 'stores',
  },
  Job: { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', verbs: CHILD_VERBS, purpose: 'on-demand reindex' },
  CronJob: {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    plural: 'cronjobs',
    verbs: CHILD_VERBS,
    purpose: 'scheduled reindex',
  },
  Service: {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    verbs: CHILD_VERBS,
    purpose: 'service endpoints',
  },
  ConfigMap: {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    verbs: CHILD_VERBS,
    purpose: 'service config',
  },
  Secret: {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    verbs: ['get', 'create', 'patch'],
    purpose: 'generated credentials; referenced secrets are only checked for presence',
  },
  PersistentVolumeClaim: {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    verbs: ['get', 'list', 'create', 'patch', 'delete'],
    purpose: 'the backup volume; grow store volumes; delete them under deletionPolicy Delete',
  },
  Pod: {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    verbs: ['list'],
    purpose: 'report why a component is not ready',
  },
  HorizontalPodAutoscaler: {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    verbs: CHILD_VERBS,
    purpose: 'gateway autoscaling',
  },
  PodDisruptionBudget: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    verbs: CHILD_VERBS,
    purpose: 'gateway disruption budget',
  },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    verbs: CHILD_VERBS,
    purpose: 'store isolation',
  },
  Ingress: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    verbs: CHILD_VERBS,
    purpose: 'gateway ingress',
  },
  CloudNativePGCluster: {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'Cluster',
    plural: 'clusters',
    verbs: CHILD_VERBS,
    purpose: 'PostgreSQL on CloudNativePG (stores.postgres.cloudNativePG)',
  },
  CloudNativePGScheduledBackup: {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'ScheduledBackup',
    plural: 'scheduledbackups',
    verbs: CHILD_VERBS,
    purpose: 'scheduled backups of the CloudNativePG Cluster',
  },
  Event: {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    verbs: ['create', 'patch'],
    purpose: 'events on the custom resource',
  },
  Lease: {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    verbs: ['get', 'create', 'update'],
    purpose: 'leader election',
  },
} as const satisfies Record<string, ResourceType>;

export type ResourceName = keyof typeof Resources;

export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The REST path of a collection, an object, or one of its subresources. */
export function resourcePath(resource: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${scope}/${resource.plural}${object}${subresource ? `/${subresource}` : ''}`;
}

export function resourceForObject(object: { apiVersion: string; kind: string }): ResourceType {
  const found = Object.values(Resources).find(
    (resource) => resource.kind === object.kind && apiVersionOf(resource) === object.apiVersion,
  );
  if (!found) throw new Error(`the operator has no RBAC-listed resource for ${object.apiVersion} ${object.kind}`);
  return found;
}

/** Kinds the operator applies and therefore prunes when no longer desired. Secrets and Jobs are kept on purpose. */
export const PRUNABLE: readonly ResourceType[] = [
  Resources.Deployment,
  Resources.StatefulSet,
  Resources.Service,
  Resources.ConfigMap,
  Resources.HorizontalPodAutoscaler,
  Resources.PodDisruptionBudget,
  Resources.NetworkPolicy,
  Resources.Ingress,
  Resources.CronJob,
  // Optional API: pruning skips it while CloudNativePG is not installed. The Cluster itself is never pruned: it
  // holds the data, and goes with the MyRAGDB (or is orphaned under Retain).
  Resources.CloudNativePGScheduledBackup,
];
