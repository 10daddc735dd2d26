/**
 * `spec.repositories` as registrations for the instance's catalog (the gateway's POST /api/v1/repositories body).
 * Git credentials come from the referenced Secret's `username` and `password` keys; volume sources become paths
 * under the mount root. Pure: the caller passes the Secret data it read.
 */
import type { NewRepository } from '../../../services/core/src/domain/repository.js';
import type { MyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import { REPOSITORIES_ROOT } from './components.js';

export const GitCredentialKeys = { username: 'username', token: 'password' } as const;

export function repositoryMountPath(name: string): string {
  return `${REPOSITORIES_ROOT}/${name}`;
}

export function buildRepositoryRegistrations(
  spec: MyRAGDBSpec,
  secretData: ReadonlyMap<string, Record<string, string>>,
): NewRepository[] {
  return spec.repositories.map((repository) => {
    const include = repository.include ?? [];
    const exclude = repository.exclude ?? [];
    if (repository.volume) {
      const path = [repositoryMountPath(repository.name), repository.volume.path].filter(Boolean).join('/');
      return { name: repository.name, source: { type: 'local', path }, include, exclude };
    }
    const git = repository.git!;
    const credentials = repository.credentialsSecretRef
      ? secretData.get(repository.credentialsSecretRef.name)
      : undefined;
    const token = credentials?.[GitCredentialKeys.token];
    const username = credentials?.[GitCredentialKeys.username];
    return {
      name: repository.name,
      source: {
        type: 'git',
        url: git.url,
        ref: git.ref,
        ...(token ? { credentials: { token, ...(username ? { username } : {}) } } : {}),
      },
      include,
      exclude,
    };
  });
}
