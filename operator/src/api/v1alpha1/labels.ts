/**
 * The identity of a MyRAGDB object and the label keys its children carry. Here rather than in specs/ because both
 * the pure builders (specs/) and the apply step (kube/) read them, and kube/ must not import specs/.
 */
export interface Owner {
  name: string;
  namespace: string;
  uid: string;
}

export const Labels = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  reindexRequest: 'myragdb.io/reindex-request-id',
} as const;
