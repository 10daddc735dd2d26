import { DiscoveryV1Api, type KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import type { ServiceInstance, ServiceKind } from '../checks/service-instance.check.js';
import type { InstanceDiscovery } from './instance-discovery.js';

export interface KubernetesService {
  kind: ServiceKind;
  /** Name of the Kubernetes Service selecting the instances. */
  service: string;
  /** Port name in the Service; default: the slice's first port. */
  portName?: string;
}

/** The label Kubernetes puts on every EndpointSlice of a Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * Instances from the EndpointSlices of each Service, including endpoints that are not ready: an instance
 * failing its readiness probe is exactly what the report must show. One probe target per pod (an endpoint with
 * several addresses is one pod).
 */
export class KubernetesDiscovery implements InstanceDiscovery {
  private readonly api: DiscoveryV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly services: readonly KubernetesService[],
  ) {
    this.api = kubeConfig.makeApiClient(DiscoveryV1Api);
  }

  async discover(): Promise<ServiceInstance[]> {
    const perService = await Promise.all(
      this.services.map(async (service) => {
        const slices = await this.api.listNamespacedEndpointSlice({
          namespace: this.namespace,
          labelSelector: `${SERVICE_NAME_LABEL}=${service.service}`,
        });
        return slices.items.flatMap((slice) => instancesOf(slice, service));
      }),
    );
    return perService.flat();
  }
}

export function instancesOf(slice: V1EndpointSlice, service: KubernetesService): ServiceInstance[] {
  const port = (slice.ports ?? []).find((p) => service.portName === undefined || p.name === service.portName);
  if (port?.port === undefined) return [];
  const scheme = port.appProtocol === 'https' ? 'https' : 'http';
  return slice.endpoints.flatMap((endpoint) => {
    const address = endpoint.addresses[0];
    if (address === undefined || endpoint.conditions?.terminating === true) return [];
    const host = slice.addressType === 'IPv6' ? `[${address}]` : address;
    return [
      {
        kind: service.kind,
        url: `${scheme}://${host}:${port.port}`,
        id: endpoint.targetRef?.name ?? `${host}:${port.port}`,
      },
    ];
  });
}
