/** Gateway scaling and disruption: an autoscaling/v2 HPA when autoscaling is set, and a PodDisruptionBudget. */
import type { V1PodDisruptionBudget, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { BuildContext, Desired } from './build-context.js';
import { ServiceComponent } from './components.js';
import { childMetadata, childName, selectorLabels } from './names.js';

export function buildAutoscaler(context: BuildContext): Desired<V2HorizontalPodAutoscaler>[] {
  const { owner, spec } = context;
  const autoscaling = spec.searchGateway.autoscaling;
  if (!autoscaling) return [];
  const name = childName(owner, ServiceComponent.Gateway);
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: childMetadata(owner, name, ServiceComponent.Gateway),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: autoscaling.targetCPUUtilizationPercentage },
            },
          },
        ],
      },
    },
  ];
}

/**
 * At most one gateway pod down for voluntary disruptions (drains), only when there are at least two: with one
 * replica a budget could only block drains forever or allow the outage anyway.
 */
export function buildDisruptionBudgets(context: BuildContext): Desired<V1PodDisruptionBudget>[] {
  const { owner, spec } = context;
  const gateway = spec.searchGateway;
  const replicas = gateway.autoscaling ? gateway.autoscaling.minReplicas : gateway.replicas;
  if (replicas < 2) return [];
  return [
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: childMetadata(owner, childName(owner, ServiceComponent.Gateway), ServiceComponent.Gateway),
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(owner, ServiceComponent.Gateway) } },
    },
  ];
}
