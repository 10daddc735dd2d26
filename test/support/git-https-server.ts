/**
 * A real git smart-HTTP server over TLS on loopback: node's https server in front of `git http-backend` (CGI),
 * demanding HTTP Basic credentials. Used to prove that git credentials reach the server as a header and nowhere
 * else. The certificate is self-signed for 127.0.0.1; clients trust it through GIT_SSL_CAINFO.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitHttpsServer {
  /** `https://127.0.0.1:PORT/` — append the repository path relative to `projectRoot`. */
  baseUrl: string;
  /** PEM file to trust. */
  caFile: string;
  /** Authorization headers the server saw, in order. */
  authorizations: string[];
  close(): Promise<void>;
}

export async function startGitHttpsServer(options: {
  projectRoot: string;
  certDir: string;
  username: string;
  token: string;
}): Promise<GitHttpsServer> {
  const key = join(options.certDir, 'key.pem');
  const cert = join(options.certDir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const expected = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`;
  const authorizations: string[] = [];

  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    authorizations.push(request.headers.authorization ?? '');
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        REMOTE_USER: options.username,
      },
    });
    request.pipe(backend.stdin);
    const output: Buffer[] = [];
    backend.stdout.on('data', (data: Buffer) => output.push(data));
    backend.on('close', () => {
      const all = Buffer.concat(output);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      response.writeHead(status, headers).end(all.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `https://127.0.0.1:${port}/`,
    caFile: cert,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
