/**
 * The Kubernetes commands the README shows, exactly as written there; the cluster suite runs these very strings
 * against the test control plane, and checks the README still contains each of them.
 */
export const HELM_INSTALL_COMMANDS = [
  'helm install myragdb charts/myragdb --namespace myragdb-system --create-namespace',
  'kubectl -n myragdb-system rollout status deployment/myragdb-operator --timeout=5m',
  'kubectl apply -n myragdb-system -f manifests/samples/myragdb-minimal.yaml',
];

export const PLAIN_INSTALL_COMMANDS = [
  'kubectl apply --server-side -f manifests/crds/',
  'kubectl apply -f manifests/install.yaml',
  'kubectl -n myragdb-system rollout status deployment/myragdb-operator --timeout=5m',
  'kubectl apply -n myragdb-system -f manifests/samples/myragdb-minimal.yaml',
];

/** Shown in the README after either install; needs a running operator, so only the GitHub e2e job (kind) runs it. */
export const WAIT_READY_COMMAND = 'kubectl -n myragdb-system wait myragdb/docs --for=condition=Ready --timeout=15m';
