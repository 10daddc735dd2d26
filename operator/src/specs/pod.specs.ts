/** Pod-level building blocks shared by services, stores and reindex jobs: hardening, probes, resources. */
import type {
  V1Container,
  V1PodSecurityContext,
  V1Probe,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { ResourceRequirements } from '../api/v1alpha1/myragdb.spec.js';
import { DEFAULT_RESOURCES } from '../api/v1alpha1/defaults.js';
import { WRITABLE_PATHS } from './components.js';

export function podSecurityContext(uid: number): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export const containerSecurityContext: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

export function resourcesOrDefault(
  resources: ResourceRequirements | undefined,
  component: keyof typeof DEFAULT_RESOURCES,
): V1ResourceRequirements {
  const defaults = DEFAULT_RESOURCES[component];
  return {
    requests: { ...defaults.requests, ...resources?.requests },
    limits: { ...defaults.limits, ...resources?.limits },
  };
}

export function httpProbe(path: string, port: string, overrides: Partial<V1Probe> = {}): V1Probe {
  return { httpGet: { path, port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, ...overrides };
}

/** emptyDir volumes for the paths a process writes to, since its root filesystem is read-only. */
export function scratchVolumes(paths: Record<string, string>): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const entries = Object.entries(paths);
  return {
    volumes: entries.map(([name]) => ({ name, emptyDir: {} })),
    mounts: entries.map(([name, mountPath]) => ({ name, mountPath })),
  };
}

export const SERVICE_SCRATCH = scratchVolumes({ tmp: WRITABLE_PATHS.tmp, data: WRITABLE_PATHS.data });

export type ContainerPatch = Partial<V1Container>;
