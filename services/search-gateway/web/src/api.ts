/**
 * The UI's only way to the server: same-origin fetches with the session cookie, the CSRF token on writes, and the
 * API's error body turned into an ApiError. Response types are the server's own zod schemas (type-only imports).
 */
import type { z } from 'zod';
import type { HealthReport } from '../../../core/src/domain/health-report.js';
import type { ActivityPoint } from '../../src/activity/activity-series.js';
import type * as KeySchemas from '../../src/api/api-key.schemas.js';
import type { FileContent } from '../../src/api/file.schemas.js';
import type { Job, RepositoryStatus } from '../../src/api/repository.schemas.js';
import type { SearchRequest, SearchResponse } from '../../src/api/search.schemas.js';

export type { ActivityPoint, FileContent, HealthReport, Job, RepositoryStatus, SearchResponse };
export type SearchResult = SearchResponse['results'][number];
export type SearchQuery = Partial<SearchRequest> & { query: string };
export type ApiKey = KeySchemas.ApiKey;
export type CreatedApiKey = z.infer<typeof KeySchemas.CreatedApiKey>;

export interface Session {
  signedIn: true;
  keyId: string;
  scopes: Array<'search' | 'admin'>;
  csrfToken: string;
  expiresAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
const signedOutListeners = new Set<() => void>();

/** Called when any request finds the session gone (401): the app shows the sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { quiet401?: boolean; alsoOk?: number[] } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server did not answer. Is MyRAGDB still running?');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok && !options.alsoOk?.includes(response.status)) {
    if (response.status === 401 && !options.quiet401) signedOutListeners.forEach((listener) => listener());
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    throw new ApiError(
      response.status,
      data?.error?.code ?? 'error',
      data?.error?.message ?? `The server answered ${response.status} ${response.statusText}`,
      retryAfter,
    );
  }
  return data as T;
}

const v1 = (path: string) => `/api/v1${path}`;
const segment = encodeURIComponent;

export const api = {
  async session(): Promise<Session | undefined> {
    const session = await request<Session | { signedIn: false }>('GET', v1('/session'));
    if (!session.signedIn) return undefined;
    csrfToken = session.csrfToken;
    return session;
  },
  async signIn(apiKey: string): Promise<Session> {
    const session = await request<Session>('POST', v1('/session'), { apiKey }, { quiet401: true });
    csrfToken = session.csrfToken;
    return session;
  },
  async signOut(): Promise<void> {
    await request<void>('DELETE', v1('/session'), undefined, { quiet401: true });
    csrfToken = undefined;
  },
  search: (query: SearchQuery) => request<SearchResponse>('POST', v1('/search'), query),
  file: (repository: string, path: string, start: number, end: number) =>
    request<FileContent>(
      'GET',
      v1(`/files/${segment(repository)}/${path.split('/').map(segment).join('/')}?start=${start}&end=${end}`),
    ),
  repositories: () => request<{ repositories: RepositoryStatus[] }>('GET', v1('/repositories')),
  addRepository: (body: {
    name: string;
    source: { type: 'local'; path: string } | { type: 'git'; url: string; ref?: string };
  }) => request<RepositoryStatus>('POST', v1('/repositories'), body),
  deleteRepository: (name: string) => request<void>('DELETE', v1(`/repositories/${segment(name)}`)),
  reindex: (repositories: string[], full: boolean) =>
    request<{ jobs: Array<{ id: string }> }>('POST', v1('/reindex'), { repositories, full }),
  jobs: (limit = 20) => request<{ jobs: Job[] }>('GET', v1(`/jobs?limit=${limit}`)),
  activity: (hours: number) =>
    request<{ stepMinutes: number; points: ActivityPoint[] }>('GET', v1(`/activity?hours=${hours}`)),
  // 503 means unhealthy, and still carries the report.
  health: () => request<HealthReport>('GET', v1('/health'), undefined, { alsoOk: [503] }),
  keys: () => request<{ keys: ApiKey[] }>('GET', v1('/keys')),
  createKey: (body: { name: string; scopes: Array<'search' | 'admin'>; expiresAt?: string }) =>
    request<CreatedApiKey>('POST', v1('/keys'), body),
  revokeKey: (id: string) => request<void>('DELETE', v1(`/keys/${segment(id)}`)),
};
