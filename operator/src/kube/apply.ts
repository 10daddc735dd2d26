/**
 * Server-side apply of child objects under the `myragdb-operator` field manager. Before applying, the current
 * object is checked: one controlled by something else, or one the operator did not create, is refused rather
 * than taken over. An orphan carrying this instance's labels (left by a Retain deletion) is adopted.
 * `force` resolves conflicts only on the fields in the applied configuration, which are the fields the operator owns.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { FIELD_MANAGER } from '../api/v1alpha1/group.js';
import { Labels, type Owner } from '../api/v1alpha1/labels.js';
import { ContentType, type KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { resourceForObject, resourcePath } from './resources.js';

export class OwnershipConflictError extends Error {
  constructor(
    readonly object: string,
    detail: string,
  ) {
    super(`${object} exists and is not managed by this MyRAGDB (${detail}); rename or remove it`);
    this.name = 'OwnershipConflictError';
  }
}

/** Why `existing` may not be written on behalf of `owner`, or undefined when it may. */
export function ownershipProblem(existing: KubeObject, owner: Owner): string | undefined {
  const controller = existing.metadata.ownerReferences?.find((reference) => reference.controller);
  if (controller) {
    return controller.uid === owner.uid ? undefined : `controlled by ${controller.kind} ${controller.name}`;
  }
  const labels = existing.metadata.labels ?? {};
  if (labels[Labels.managedBy] !== FIELD_MANAGER || labels[Labels.instance] !== owner.name) {
    return 'created by someone else';
  }
  return undefined;
}

function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * What the last apply of each child left, by uid: a hash of the configuration applied, and the object's
 * `generation` (its spec's version), or its `resourceVersion` for kinds without one. While both match and the
 * desired labels and annotations are still on it, nobody has changed what the operator set, so applying again
 * would be a no-op write: reconciles of unchanged instances write nothing, and at hundreds of instances the API
 * server is spared thousands of server-side applies. Each operator process applies every child at least once.
 */
export class AppliedChildren {
  private readonly applied = new LRUCache<string, { hash: string; marker: string }>({ max: 100_000 });

  unchanged(existing: KubeObject, desired: KubeObject, hash: string): boolean {
    const last = this.applied.get(existing.metadata.uid ?? '');
    return (
      last !== undefined &&
      last.hash === hash &&
      last.marker === marker(existing) &&
      includes(existing.metadata.labels, desired.metadata.labels) &&
      includes(existing.metadata.annotations, desired.metadata.annotations)
    );
  }

  record(result: KubeObject, hash: string): void {
    if (result.metadata.uid) this.applied.set(result.metadata.uid, { hash, marker: marker(result) });
  }
}

function marker(object: KubeObject): string {
  const { generation } = object.metadata;
  return generation === undefined ? `rv:${object.metadata.resourceVersion ?? ''}` : `gen:${generation}`;
}

function includes(actual: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => actual?.[key] === value);
}

export async function applyOwned<T extends KubeObject>(
  client: KubeClient,
  owner: Owner,
  desired: T,
  applied?: AppliedChildren,
): Promise<T> {
  const resource = resourceForObject(desired);
  const path = resourcePath(resource, desired.metadata.namespace, desired.metadata.name);
  const existing = await client.find<KubeObject>(path);
  // Only a tracker of earlier applies needs the hash (the reconciler always has one).
  const hash = applied ? createHash('sha256').update(JSON.stringify(desired)).digest('base64url') : '';
  if (existing) {
    const problem = ownershipProblem(existing, owner);
    if (problem) throw new OwnershipConflictError(describe(desired), problem);
    if (applied?.unchanged(existing, desired, hash)) return existing as T;
  }
  const result = await client.request<T>({
    method: 'PATCH',
    path,
    query: { fieldManager: FIELD_MANAGER, force: true },
    body: desired,
    contentType: ContentType.applyPatch,
  });
  applied?.record(result, hash);
  return result;
}
