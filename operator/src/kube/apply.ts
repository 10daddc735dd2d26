/**
 * Server-side apply of child objects under the `myragdb-operator` field manager. Before applying, the current
 * object is checked: one controlled by something else, or one the operator did not create, is refused rather
 * than taken over. An orphan carrying this instance's labels (left by a Retain deletion) is adopted.
 * `force` resolves conflicts only on the fields in the applied configuration, which are the fields the operator owns.
 */
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

export async function applyOwned<T extends KubeObject>(client: KubeClient, owner: Owner, desired: T): Promise<T> {
  const resource = resourceForObject(desired);
  const path = resourcePath(resource, desired.metadata.namespace, desired.metadata.name);
  const existing = await client.find<KubeObject>(path);
  if (existing) {
    const problem = ownershipProblem(existing, owner);
    if (problem) throw new OwnershipConflictError(describe(desired), problem);
  }
  return client.request<T>({
    method: 'PATCH',
    path,
    query: { fieldManager: FIELD_MANAGER, force: true },
    body: desired,
    contentType: ContentType.applyPatch,
  });
}
