/**
 * Reads what exists for one MyRAGDB: its workloads, jobs, pods, claims, the Secrets it generated and the Secrets
 * its spec refers to. Live reads (not the informer cache), so a reconcile never decides on stale children.
 */
import type { MyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { MyRAGDB } from '../api/v1alpha1/myragdb.types.js';
import { isStatus, type KubeClient } from '../kube/kube-client.js';
import type { KubeList, KubeObject } from '../kube/kube-object.js';
import { Resources, resourcePath, type ResourceType } from '../kube/resources.js';
import { CloudNativePGNames } from '../specs/cloudnative-pg.specs.js';
import { Labels, MANAGED_SELECTOR } from '../specs/names.js';
import { GitCredentialKeys } from '../specs/repositories.specs.js';

export type ObservedObject = KubeObject & {
  spec?: Record<string, unknown> & { replicas?: number };
  status?: Record<string, unknown>;
};

export interface Observation {
  deployments: Map<string, ObservedObject>;
  statefulSets: Map<string, ObservedObject>;
  jobs: Map<string, ObservedObject>;
  pods: ObservedObject[];
  claims: ObservedObject[];
  /** Data of the Secrets this instance generated, by Secret name (decoded). */
  generatedSecretData: Map<string, Record<string, string>>;
  /** Data of the Secrets the spec refers to (decoded), by Secret name: git credentials are passed on to the catalog. */
  referencedSecretData: Map<string, Record<string, string>>;
  /** Referenced Secrets (or keys) that do not exist, as readable phrases. */
  missingSecrets: string[];
  cronJobs: Map<string, ObservedObject>;
  /** Only in the cloudNativePG mode: whether its API is served, and the Cluster. */
  cloudNativePG?: { installed: boolean; cluster?: ObservedObject };
}

/** Whether the API server serves CloudNativePG's Cluster and ScheduledBackup (its CRDs are installed). */
export async function cloudNativePGInstalled(client: KubeClient): Promise<boolean> {
  try {
    const discovery = await client.get<{ resources?: { name: string }[] }>(
      `/apis/${Resources.CloudNativePGCluster.group}/${Resources.CloudNativePGCluster.version}`,
    );
    const served = new Set((discovery.resources ?? []).map((resource) => resource.name));
    return (
      served.has(Resources.CloudNativePGCluster.plural) && served.has(Resources.CloudNativePGScheduledBackup.plural)
    );
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

async function observeCloudNativePG(client: KubeClient, namespace: string, clusterName: string) {
  if (!(await cloudNativePGInstalled(client))) return { installed: false };
  const cluster = await client.find<ObservedObject>(
    resourcePath(Resources.CloudNativePGCluster, namespace, clusterName),
  );
  return { installed: true, ...(cluster ? { cluster } : {}) };
}

export function instanceSelector(name: string): string {
  return `${Labels.instance}=${name},${MANAGED_SELECTOR}`;
}

async function listByInstance(client: KubeClient, resource: ResourceType, namespace: string, name: string) {
  const list = await client.get<KubeList<ObservedObject>>(resourcePath(resource, namespace), {
    labelSelector: instanceSelector(name),
  });
  return list.items ?? [];
}

const byName = (items: ObservedObject[]) => new Map(items.map((item) => [item.metadata.name, item]));

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

/** Every Secret reference in the spec, with the key that must exist in it (none for whole-Secret mounts). */
export function referencedSecrets(spec: MyRAGDBSpec): { name: string; key?: string; usedBy: string }[] {
  const references: { name: string; key?: string; usedBy: string }[] = [];
  const { postgres, meilisearch } = spec.stores;
  if (postgres.external) references.push({ ...postgres.external.secretRef, usedBy: 'stores.postgres.external' });
  if (meilisearch.external)
    references.push({ ...meilisearch.external.secretRef, usedBy: 'stores.meilisearch.external' });
  if (spec.embedding.secretRef) references.push({ ...spec.embedding.secretRef, usedBy: 'embedding' });
  for (const repository of spec.repositories) {
    if (repository.credentialsSecretRef) {
      references.push({
        name: repository.credentialsSecretRef.name,
        key: GitCredentialKeys.token,
        usedBy: `repository ${repository.name}`,
      });
    }
  }
  return references;
}

export async function observe(
  client: KubeClient,
  resource: MyRAGDB,
  spec: MyRAGDBSpec,
  generatedSecretNames: string[],
): Promise<Observation> {
  const namespace = resource.metadata.namespace!;
  const name = resource.metadata.name;
  const secretPath = (secretName: string) => resourcePath(Resources.Secret, namespace, secretName);
  const references = referencedSecrets(spec);
  const [deployments, statefulSets, jobs, cronJobs, cloudNativePG, pods, claims, generated, referenced] =
    await Promise.all([
      listByInstance(client, Resources.Deployment, namespace, name),
      listByInstance(client, Resources.StatefulSet, namespace, name),
      listByInstance(client, Resources.Job, namespace, name),
      spec.stores.postgres.managed?.backup
        ? listByInstance(client, Resources.CronJob, namespace, name)
        : Promise.resolve([]),
      spec.stores.postgres.cloudNativePG
        ? observeCloudNativePG(client, namespace, CloudNativePGNames.cluster(resource.metadata))
        : Promise.resolve(undefined),
      listByInstance(client, Resources.Pod, namespace, name),
      listByInstance(client, Resources.PersistentVolumeClaim, namespace, name),
      Promise.all(generatedSecretNames.map((secretName) => client.find<SecretObject>(secretPath(secretName)))),
      Promise.all(references.map((reference) => client.find<SecretObject>(secretPath(reference.name)))),
    ]);
  const decodeAll = (secrets: (SecretObject | undefined)[]) =>
    new Map(
      secrets
        .filter((secret): secret is SecretObject => secret !== undefined)
        .map((secret) => [
          secret.metadata.name,
          Object.fromEntries(
            Object.entries(secret.data ?? {}).map(([key, value]) => [
              key,
              Buffer.from(value, 'base64').toString('utf8'),
            ]),
          ),
        ]),
    );
  const missingSecrets = references.flatMap((reference, index) => {
    const secret = referenced[index];
    if (!secret) return [`Secret ${reference.name} (${reference.usedBy}) not found`];
    if (reference.key && secret.data?.[reference.key] === undefined) {
      return [`Secret ${reference.name} (${reference.usedBy}) has no key ${reference.key}`];
    }
    return [];
  });
  return {
    deployments: byName(deployments),
    statefulSets: byName(statefulSets),
    jobs: byName(jobs),
    cronJobs: byName(cronJobs),
    ...(cloudNativePG ? { cloudNativePG } : {}),
    pods,
    claims,
    generatedSecretData: decodeAll(generated),
    referencedSecretData: decodeAll(referenced),
    missingSecrets,
  };
}

const FAILING_WAIT_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** Pods stuck for a reason that will not fix itself (bad image, crash loop, missing config), by component. */
export function podFailures(pods: ObservedObject[]): { component: string; message: string }[] {
  return pods.flatMap((pod) => {
    const statuses =
      (pod.status?.containerStatuses as {
        name: string;
        state?: { waiting?: { reason?: string; message?: string } };
      }[]) ?? [];
    return statuses
      .filter((container) => FAILING_WAIT_REASONS.has(container.state?.waiting?.reason ?? ''))
      .map((container) => ({
        component: pod.metadata.labels?.[Labels.component] ?? 'unknown',
        message: `pod ${pod.metadata.name}: ${container.state!.waiting!.reason}${container.state?.waiting?.message ? ` (${container.state.waiting.message})` : ''}`,
      }));
  });
}
