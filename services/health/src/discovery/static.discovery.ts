import type { ServiceInstance, ServiceKind } from '../checks/service-instance.check.js';
import type { InstanceDiscovery } from './instance-discovery.js';

/** Instances from configuration (HEALTH_GATEWAY_URLS / HEALTH_INDEXER_URLS): the id is the URL's host:port. */
export class StaticDiscovery implements InstanceDiscovery {
  private readonly instances: ServiceInstance[];

  constructor(urls: Partial<Record<ServiceKind, readonly string[]>>) {
    this.instances = Object.entries(urls).flatMap(([kind, list]) =>
      (list ?? []).map((url) => ({ kind: kind as ServiceKind, url, id: new URL(url).host })),
    );
  }

  discover(): Promise<ServiceInstance[]> {
    return Promise.resolve(this.instances);
  }
}
