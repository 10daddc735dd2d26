/**
 * Only this instance's pods may reach its managed stores (and its managed Redis). Chroma has no authentication at
 * all, so this policy is its only access control; the others get it as defence in depth.
 */
import type {
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from '@kubernetes/client-node';
import type { BuildContext, Desired } from './build-context.js';
import { STORE_PORTS } from './components.js';
import { childMetadata, instancePodSelector, Names, selectorLabels } from './names.js';
import { REDIS_COMPONENT, REDIS_PORT } from './redis.specs.js';
import { managedStores } from './stores.specs.js';

/** client-node names the rule's `from` field `_from` (a reserved word in its generator); the wire name is `from`. */
type WireIngressRule = Omit<V1NetworkPolicyIngressRule, '_from'> & { from: V1NetworkPolicyPeer[] };
type WireNetworkPolicy = Omit<V1NetworkPolicy, 'spec'> & {
  spec: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress: WireIngressRule[] };
};

export function buildNetworkPolicies(context: BuildContext): Desired<WireNetworkPolicy>[] {
  const { owner } = context;
  const guarded: { component: string; port: number }[] = [
    ...managedStores(context).map((store) => ({ component: store, port: STORE_PORTS[store] })),
    ...(context.spec.stores.redis?.managed ? [{ component: REDIS_COMPONENT, port: REDIS_PORT }] : []),
  ];
  return guarded.map(({ component: store, port }) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(owner, Names.storeNetworkPolicy(owner, store), store),
    spec: {
      podSelector: { matchLabels: selectorLabels(owner, store) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: instancePodSelector(owner) } }],
          ports: [{ protocol: 'TCP', port }],
        },
      ],
    },
  }));
}
