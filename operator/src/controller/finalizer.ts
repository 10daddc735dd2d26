/**
 * Deletion of a MyRAGDB. Children with owner references are removed by the garbage collector once the finalizer is
 * gone; what the finalizer decides is the data. Delete: repository data in external stores is removed through the
 * gateway (still running: owned objects outlive the finalizer), then the store StatefulSets and their volumes.
 * Retain: volumes stay, and the generated credentials are orphaned so the data they protect stays usable by a
 * re-created MyRAGDB.
 */
import { DeletionPolicy } from '../api/v1alpha1/conditions.js';
import { FINALIZER } from '../api/v1alpha1/group.js';
import { parseMyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { MyRAGDB } from '../api/v1alpha1/myragdb.types.js';
import { ContentType, isStatus, type KubeClient } from '../kube/kube-client.js';
import type { KubeList } from '../kube/kube-object.js';
import { patchFinalizers } from '../kube/status-patch.js';
import { Resources, resourcePath } from '../kube/resources.js';
import { BackupNames } from '../specs/backup.specs.js';
import { CloudNativePGNames } from '../specs/cloudnative-pg.specs.js';
import { STORE_NAMES } from '../specs/components.js';
import { Names } from '../specs/names.js';
import { SecretKeys } from '../specs/secrets.specs.js';
import { generatedSecretNames } from './generated-secrets.js';
import { instanceSelector } from './observe.js';
import type { RepositoryCatalog } from './repository-catalog.port.js';

export interface FinalizeDependencies {
  client: KubeClient;
  catalog: RepositoryCatalog;
  gatewayUrl(resource: MyRAGDB): string;
}

/** What deletion does for this resource; an invalid spec falls back to Retain, which loses nothing. */
export function deletionPlan(resource: MyRAGDB): { policy: DeletionPolicy; externalRepositories: string[] } {
  const parsed = parseMyRAGDBSpec(resource.spec);
  if (!parsed.ok) return { policy: DeletionPolicy.Retain, externalRepositories: [] };
  const { spec } = parsed;
  const external = STORE_NAMES.some((store) => spec.stores[store].external !== undefined);
  return {
    policy: spec.deletionPolicy,
    externalRepositories: external ? spec.repositories.map((repository) => repository.name) : [],
  };
}

async function apiKeyOf(client: KubeClient, resource: MyRAGDB): Promise<string> {
  const secret = await client.find<{ data?: Record<string, string> }>(
    resourcePath(Resources.Secret, resource.metadata.namespace, Names.appCredentials(resource.metadata)),
  );
  const encoded = secret?.data?.[SecretKeys.apiKey];
  if (!encoded)
    throw new Error(`Secret ${Names.appCredentials(resource.metadata)} with the gateway API key is missing`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** Runs the deletion policy and releases the resource. Throws (to be retried with backoff) if cleanup fails. */
export async function finalize(dependencies: FinalizeDependencies, resource: MyRAGDB): Promise<string> {
  const { client, catalog } = dependencies;
  const namespace = resource.metadata.namespace!;
  const plan = deletionPlan(resource);
  let summary: string;
  if (plan.policy === DeletionPolicy.Delete) {
    if (plan.externalRepositories.length > 0) {
      const target = { gatewayUrl: dependencies.gatewayUrl(resource), apiKey: await apiKeyOf(client, resource) };
      for (const repository of plan.externalRepositories) await catalog.deleteRepository(target, repository);
    }
    const selector = { labelSelector: instanceSelector(resource.metadata.name) };
    // The StatefulSets go first: while one exists, its controller replaces a pod whose claim is terminating and
    // creates a fresh claim for it, which nothing would delete once the StatefulSet is gone.
    const statefulSets = await client.get<KubeList>(resourcePath(Resources.StatefulSet, namespace), selector);
    for (const statefulSet of statefulSets.items ?? []) {
      await client.delete(resourcePath(Resources.StatefulSet, namespace, statefulSet.metadata.name));
    }
    const claims = await client.get<KubeList>(resourcePath(Resources.PersistentVolumeClaim, namespace), selector);
    for (const claim of claims.items ?? []) {
      await client.delete(resourcePath(Resources.PersistentVolumeClaim, namespace, claim.metadata.name));
    }
    summary = `deleted data of ${plan.externalRepositories.length} repositories in external stores and ${claims.items?.length ?? 0} volumes`;
  } else {
    // Owned objects that hold or guard data outlive the MyRAGDB: the generated credentials, the pg_dump volume and
    // the CloudNativePG Cluster (its volumes are its own). A re-created MyRAGDB of the same name adopts them.
    const keep = [
      ...generatedSecretNames(resource.metadata).map((name) => resourcePath(Resources.Secret, namespace, name)),
      resourcePath(Resources.PersistentVolumeClaim, namespace, BackupNames.claim(resource.metadata)),
      resourcePath(Resources.CloudNativePGCluster, namespace, CloudNativePGNames.cluster(resource.metadata)),
    ];
    for (const path of keep) {
      await client
        .request({
          method: 'PATCH',
          path,
          body: { metadata: { ownerReferences: null } },
          contentType: ContentType.mergePatch,
        })
        .catch((error: unknown) => {
          // Not there, or (CloudNativePG) not even an API here: nothing to keep.
          if (!isStatus(error, 404)) throw error;
        });
    }
    summary = 'retained volumes, credentials and the database';
  }
  await patchFinalizers(
    client,
    resource,
    (resource.metadata.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER),
  );
  return summary;
}
