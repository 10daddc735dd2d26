/**
 * The write half of a reconcile: apply every desired child, prune children no longer desired, grow store volumes.
 * One child failing does not stop the others; the failures come back as problems for status.
 */
import { ConditionReason } from '../api/v1alpha1/conditions.js';
import { parseQuantity } from '../api/v1alpha1/quantity.js';
import type { MyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import { applyOwned, type AppliedChildren, OwnershipConflictError } from '../kube/apply.js';
import { ContentType, isStatus, type KubeClient } from '../kube/kube-client.js';
import type { KubeList, KubeObject } from '../kube/kube-object.js';
import { PRUNABLE, resourceForObject, resourcePath } from '../kube/resources.js';
import { childName, type Owner } from '../specs/names.js';
import { STORE_NAMES } from '../specs/components.js';
import { managedStores, storeClaimName } from '../specs/stores.specs.js';
import type { BuildContext } from '../specs/build-context.js';
import type { Problem } from './myragdb.status.js';
import { instanceSelector, type ObservedObject } from './observe.js';

export interface ApplyOutcome {
  problems: Problem[];
  /** Errors worth retrying with backoff (API errors, timeouts). */
  retryable: Error[];
  applied: KubeObject[];
}

export async function applyChildren(
  client: KubeClient,
  owner: Owner,
  desired: KubeObject[],
  applied?: AppliedChildren,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { problems: [], retryable: [], applied: [] };
  for (const object of desired) {
    try {
      outcome.applied.push(await applyOwned(client, owner, object, applied));
    } catch (error) {
      if (error instanceof OwnershipConflictError) {
        outcome.problems.push({ reason: ConditionReason.ResourceConflict, message: error.message, permanent: true });
      } else {
        const message = `apply ${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
        outcome.problems.push({ reason: ConditionReason.ApplyFailed, message });
        outcome.retryable.push(error as Error);
      }
    }
  }
  return outcome;
}

/** Deletes children of `owner` that are no longer desired (e.g. the HPA after autoscaling was removed). */
export async function pruneChildren(client: KubeClient, owner: Owner, desired: KubeObject[]): Promise<string[]> {
  const wanted = new Set(desired.map((object) => `${object.kind}/${object.metadata.name}`));
  const pruned: string[] = [];
  for (const resource of PRUNABLE) {
    const list = await client
      .get<KubeList>(resourcePath(resource, owner.namespace), { labelSelector: instanceSelector(owner.name) })
      .catch((error: unknown) => {
        // An optional API that is not installed (CloudNativePG) has nothing to prune.
        if (isStatus(error, 404)) return { items: [] } as unknown as KubeList;
        throw error;
      });
    for (const item of list.items ?? []) {
      const ours = item.metadata.ownerReferences?.some(
        (reference) => reference.controller && reference.uid === owner.uid,
      );
      if (!ours || wanted.has(`${resource.kind}/${item.metadata.name}`)) continue;
      await client.delete(resourcePath(resource, owner.namespace, item.metadata.name), {
        propagationPolicy: 'Background',
      });
      pruned.push(`${resource.kind}/${item.metadata.name}`);
    }
  }
  return pruned;
}

/**
 * A StatefulSet's claim template cannot change, so a larger `storage.size` is applied to the existing claim
 * (the storage class must allow expansion; the API server refuses otherwise and the error surfaces in status).
 */
export async function growClaims(
  client: KubeClient,
  context: BuildContext,
  claims: ObservedObject[],
): Promise<string[]> {
  const grown: string[] = [];
  for (const store of managedStores(context)) {
    const wanted = context.spec.stores[store].managed!.storage.size;
    const claim = claims.find((item) => item.metadata.name === storeClaimName(context.owner, store));
    const current = (claim?.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources
      ?.requests?.storage;
    if (!claim || !current || parseQuantity(wanted) <= parseQuantity(current)) continue;
    await client.request({
      method: 'PATCH',
      path: resourcePath(resourceForObject(claim), claim.metadata.namespace, claim.metadata.name),
      body: { spec: { resources: { requests: { storage: wanted } } } },
      contentType: ContentType.mergePatch,
    });
    grown.push(`${claim.metadata.name} → ${wanted}`);
  }
  return grown;
}

/** Storage size each existing StatefulSet was created with (its claim template is immutable). */
export function storeTemplateSizes(spec: MyRAGDBSpec, owner: Owner, statefulSets: Map<string, ObservedObject>) {
  const sizes: BuildContext['observed']['storeTemplateSizes'] = {};
  for (const store of STORE_NAMES) {
    if (!spec.stores[store].managed) continue;
    const templates = statefulSets.get(childName(owner, store))?.spec?.volumeClaimTemplates as
      { spec?: { resources?: { requests?: { storage?: string } } } }[] | undefined;
    const size = templates?.[0]?.spec?.resources?.requests?.storage;
    if (size) sizes[store] = size;
  }
  return sizes;
}
