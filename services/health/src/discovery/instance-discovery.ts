import type { ServiceInstance } from '../checks/service-instance.check.js';

/** Where the search-gateway and indexer instances to probe come from: configuration or Kubernetes. */
export interface InstanceDiscovery {
  discover(signal: AbortSignal): Promise<ServiceInstance[]>;
}
