/**
 * Is a Docker engine reachable for testcontainers? Answered once per run, fast: no socket and no DOCKER_HOST means
 * no (the common case on these machines), otherwise one `/_ping` with a short timeout.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

let reachable: Promise<boolean> | undefined;

function ping(options: { socketPath: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...options, path: '/_ping', method: 'GET', timeout: 1500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function detect(): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://')) return ping({ socketPath: dockerHost.slice('unix://'.length) });
  if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace('tcp://', 'http://'));
    return ping({ host: url.hostname, port: Number(url.port || 2375) });
  }
  const candidates = [
    '/var/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
  ];
  for (const socketPath of candidates) {
    if (existsSync(socketPath) && (await ping({ socketPath }))) return true;
  }
  return false;
}

export function isDockerReachable(): Promise<boolean> {
  reachable ??= detect();
  return reachable;
}
