/**
 * Least-privilege RBAC, generated from the resource list the code uses (kube/resources.ts): a ClusterRole for the
 * cluster-wide watch mode and a namespaced Role for single-namespace mode, plus their bindings.
 */
import { Resources, type ResourceType, type Verb } from '../kube/resources.js';

export const OPERATOR_NAME = 'myragdb-operator';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
}

/** One rule per API group and verb set, resources sorted, so the output is stable and reviewable. */
export function buildPolicyRules(resources: readonly ResourceType[] = Object.values(Resources)): PolicyRule[] {
  const byGroupAndVerbs = new Map<string, PolicyRule>();
  const add = (group: string, resource: string, verbs: readonly Verb[]) => {
    const sorted = [...verbs].sort();
    const key = `${group}|${sorted.join(',')}`;
    const rule = byGroupAndVerbs.get(key) ?? { apiGroups: [group], resources: [], verbs: sorted };
    rule.resources.push(resource);
    byGroupAndVerbs.set(key, rule);
  };
  for (const resource of resources) {
    add(resource.group, resource.plural, resource.verbs);
    for (const [subresource, verbs] of Object.entries(resource.subresources ?? {})) {
      add(resource.group, `${resource.plural}/${subresource}`, verbs);
    }
  }
  return [...byGroupAndVerbs.values()]
    .map((rule) => ({ ...rule, resources: rule.resources.sort() }))
    .sort((a, b) => `${a.apiGroups[0]}|${a.resources[0]}`.localeCompare(`${b.apiGroups[0]}|${b.resources[0]}`));
}

export function buildRbacManifests(namespace: string): Record<string, unknown>[] {
  const rules = buildPolicyRules();
  const subject = { kind: 'ServiceAccount', name: OPERATOR_NAME, namespace };
  const labels = { 'app.kubernetes.io/name': OPERATOR_NAME, 'app.kubernetes.io/part-of': 'myragdb' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: OPERATOR_NAME, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: OPERATOR_NAME, labels },
      rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: OPERATOR_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
      subjects: [subject],
    },
    // Single-namespace mode: bind this Role instead of the ClusterRole (run with --namespace).
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: OPERATOR_NAME, namespace, labels },
      rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: OPERATOR_NAME, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OPERATOR_NAME },
      subjects: [subject],
    },
  ];
}
