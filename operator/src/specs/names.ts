/** Names, labels and owner references of every child object, derived from the MyRAGDB's identity. */
import { API_VERSION, FIELD_MANAGER, KIND } from '../api/v1alpha1/group.js';
import type { OwnerReference } from '../kube/kube-object.js';
import { Labels, type Owner } from '../api/v1alpha1/labels.js';

// Re-exported: specs and controllers name children, labels and owners through this one module.
export { Labels, type Owner };

export const Annotations = {
  configHash: 'myragdb.io/config-hash',
  reindexRequest: 'myragdb.io/reindex-request-id',
} as const;

export const APP_NAME = 'myragdb';

/** Selects every object the operator manages, across instances (used by the child watches). */
export const MANAGED_SELECTOR = `${Labels.managedBy}=${FIELD_MANAGER}`;

export function childName(owner: Pick<Owner, 'name'>, suffix: string): string {
  return `${owner.name}-${suffix}`;
}

export const Names = {
  config: (owner: Pick<Owner, 'name'>) => childName(owner, 'config'),
  storeCredentials: (owner: Pick<Owner, 'name'>, store: string) => childName(owner, `${store}-credentials`),
  appCredentials: (owner: Pick<Owner, 'name'>) => childName(owner, 'app-credentials'),
  reindexCronJob: (owner: Pick<Owner, 'name'>) => childName(owner, 'reindex'),
  reindexJob: (owner: Pick<Owner, 'name'>, requestHash: string) => childName(owner, `reindex-${requestHash}`),
  storeNetworkPolicy: (owner: Pick<Owner, 'name'>, store: string) => childName(owner, `${store}-ingress`),
};

/** Labels a Deployment's or StatefulSet's selector uses: never change them, selectors are immutable. */
export function selectorLabels(owner: Pick<Owner, 'name'>, component: string): Record<string, string> {
  return { [Labels.name]: APP_NAME, [Labels.instance]: owner.name, [Labels.component]: component };
}

export function instanceLabels(owner: Pick<Owner, 'name'>, component: string): Record<string, string> {
  return { ...selectorLabels(owner, component), [Labels.managedBy]: FIELD_MANAGER, [Labels.partOf]: APP_NAME };
}

/** Selects every pod of one instance: the only clients the store NetworkPolicies admit. */
export function instancePodSelector(owner: Pick<Owner, 'name'>): Record<string, string> {
  return { [Labels.name]: APP_NAME, [Labels.instance]: owner.name };
}

export function ownerReference(owner: Owner): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function childMetadata(owner: Owner, name: string, component: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    namespace: owner.namespace,
    labels: { ...instanceLabels(owner, component), ...extraLabels },
    ownerReferences: [ownerReference(owner)],
  };
}
