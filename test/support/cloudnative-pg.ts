/**
 * CloudNativePG's own CRDs (v1.30.0, unmodified) for tests: read from the shared directory beside the checkout
 * (`../shared/cloudnative-pg/crds`, or MYRAGDB_CNPG_CRDS), installed with server-side apply. CloudNativePG's
 * controller does not run here; tests write a Cluster's status the way it does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ContentType, type KubeClient } from '../../operator/src/kube/kube-client.js';
import { REPO_ROOT } from './control-plane.js';

const CANDIDATES = [
  process.env.MYRAGDB_CNPG_CRDS,
  path.resolve(REPO_ROOT, '..', 'shared', 'cloudnative-pg', 'crds'),
  // A git worktree one level further down (e.g. /work/wt/<name>) shares the same directory.
  path.resolve(REPO_ROOT, '..', '..', 'shared', 'cloudnative-pg', 'crds'),
].filter((candidate): candidate is string => candidate !== undefined);

export function cloudNativePGCrdDir(): string {
  const found = CANDIDATES.find((candidate) => existsSync(path.join(candidate, 'postgresql.cnpg.io_clusters.yaml')));
  if (!found) {
    throw new Error(
      `CloudNativePG CRDs not found (looked in ${CANDIDATES.join(', ')}); set MYRAGDB_CNPG_CRDS to their directory`,
    );
  }
  return found;
}

type Crd = { metadata: { name: string } };

export async function installCloudNativePGCrds(client: KubeClient, fieldManager: string): Promise<string[]> {
  const dir = cloudNativePGCrdDir();
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((entry) => entry.endsWith('.yaml'))) {
    const crd = parse(readFileSync(path.join(dir, file), 'utf8')) as Crd;
    await client.request({
      method: 'PATCH',
      path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      query: { fieldManager, force: true },
      body: crd,
      contentType: ContentType.applyPatch,
    });
    names.push(crd.metadata.name);
  }
  return names;
}
