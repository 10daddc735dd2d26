/**
 * Reads of the instances' children from the informers' caches, as controller-runtime's cached client does: at
 * hundreds of instances, listing every child kind live on every reconcile made the API server filter the whole
 * namespace each time. The cache only answers what it knows for certain; everything else falls back to a live read:
 * a kind without an informer, an informer that has not listed yet, and an object it does not hold (one the
 * operator has just created, or one without the managed label, whose ownership must be checked before any apply).
 */
import type { Informer } from './informer.js';
import type { KubeObject } from './kube-object.js';
import type { ResourceType } from './resources.js';

export interface ChildCache {
  /** The cached object, or undefined when the cache cannot say (read it live). */
  find(resource: ResourceType, namespace: string, name: string): KubeObject | undefined;
  /** An instance's children of this kind, or undefined when this kind is not cached or not yet listed. */
  listByInstance(resource: ResourceType, namespace: string, instance: string): KubeObject[] | undefined;
}

/** No cache: every read is live (tests, and the reconciler outside a manager). */
export const LIVE_READS: ChildCache = { find: () => undefined, listByInstance: () => undefined };

/** What the cache needs of an informer. */
export type CachingInformer = Pick<Informer<KubeObject>, 'hasSynced' | 'get' | 'list'>;

export class InformerChildCache implements ChildCache {
  constructor(
    /** By `cacheKey(resource)`. */
    private readonly informers: ReadonlyMap<string, CachingInformer>,
    /** The label naming the instance a child belongs to. */
    private readonly instanceLabel: string,
  ) {}

  find(resource: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.synced(resource)?.get(name, namespace);
  }

  listByInstance(resource: ResourceType, namespace: string, instance: string): KubeObject[] | undefined {
    return this.synced(resource)
      ?.list()
      .filter(
        (object) =>
          object.metadata.namespace === namespace && object.metadata.labels?.[this.instanceLabel] === instance,
      );
  }

  private synced(resource: ResourceType): CachingInformer | undefined {
    const informer = this.informers.get(cacheKey(resource));
    return informer?.hasSynced ? informer : undefined;
  }
}

export function cacheKey(resource: ResourceType): string {
  return `${resource.group ?? ''}/${resource.plural}`;
}
