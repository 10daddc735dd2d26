/** Writes to the MyRAGDB itself: status through the /status subresource, finalizers with optimistic locking. */
import type { MyRAGDB, MyRAGDBStatus } from '../api/v1alpha1/myragdb.types.js';
import { ContentType, type KubeClient } from './kube-client.js';
import { Resources, resourcePath } from './resources.js';

export function myRAGDBPath(namespace: string, name: string, subresource?: string): string {
  return resourcePath(Resources.MyRAGDB, namespace, name, subresource);
}

/**
 * A JSON merge patch that turns `previous` into `next` at the first two levels: fields and map entries that
 * disappeared (a component, `keywordEngine.target` once a switch is done) are set to null, which merge patch
 * deletes; arrays are replaced whole.
 */
export function statusMergePatch(previous: MyRAGDBStatus | undefined, next: MyRAGDBStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  const before = (previous ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(before)) {
    const old = before[key];
    const now = patch[key];
    if (now === undefined) patch[key] = null;
    else if (isObject(old) && isObject(now)) {
      const nested: Record<string, unknown> = { ...now };
      for (const name of Object.keys(old)) if (!(name in now)) nested[name] = null;
      patch[key] = nested;
    }
  }
  return patch;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function patchStatus(client: KubeClient, resource: MyRAGDB, next: MyRAGDBStatus): Promise<MyRAGDB> {
  return client.request<MyRAGDB>({
    method: 'PATCH',
    path: myRAGDBPath(resource.metadata.namespace!, resource.metadata.name, 'status'),
    body: { status: statusMergePatch(resource.status, next) },
    contentType: ContentType.mergePatch,
  });
}

/** Replaces the finalizer list; the resourceVersion makes a concurrent change fail with 409 instead of being lost. */
export async function patchFinalizers(client: KubeClient, resource: MyRAGDB, finalizers: string[]): Promise<MyRAGDB> {
  return client.request<MyRAGDB>({
    method: 'PATCH',
    path: myRAGDBPath(resource.metadata.namespace!, resource.metadata.name),
    body: { metadata: { finalizers, resourceVersion: resource.metadata.resourceVersion } },
    contentType: ContentType.mergePatch,
  });
}
