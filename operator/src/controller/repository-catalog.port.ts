/**
 * How the operator reaches an instance's repository catalog: through the search gateway's admin API. The gateway
 * owns the catalog (Postgres) and the data layout across Postgres, Meilisearch and Chroma, so the operator needs
 * no store clients or store credentials, and stays correct when the layout changes. Used to register the
 * repositories of `spec.repositories`, and by the finalizer to delete their data under deletionPolicy Delete.
 */
import type { NewRepository } from '../../../services/core/src/domain/repository.js';
import { DependencyError } from '../../../services/core/src/errors.js';
import type { RepositoryKeywordStores } from '../specs/keyword-engine.js';

export interface CatalogTarget {
  /** Base URL of the instance's search gateway. */
  gatewayUrl: string;
  /** Admin API key of the instance (its generated MYRAGDB_API_KEY). */
  apiKey: string;
}

export interface RepositoryCatalog {
  /** Names of the registered repositories. */
  listRepositories(target: CatalogTarget): Promise<string[]>;
  /** Registers a repository (its first index job is queued by the gateway); an existing name is left as it is. */
  registerRepository(target: CatalogTarget, repository: NewRepository): Promise<void>;
  /** Removes a repository and all its documents from every store; an unknown name is already gone. */
  deleteRepository(target: CatalogTarget, name: string): Promise<void>;
  /** Every repository with the keyword store its documents are in (a keyword-engine switch's progress). */
  keywordStores(target: CatalogTarget): Promise<RepositoryKeywordStores>;
  /** Queues a sync of these repositories (one already queued is not queued twice). */
  requestSync(target: CatalogTarget, names: readonly string[]): Promise<void>;
}

/** Repositories per reindex request (the gateway's limit). */
const SYNC_REQUEST_BATCH = 100;

export class GatewayRepositoryCatalog implements RepositoryCatalog {
  constructor(private readonly timeoutMs = 30_000) {}

  async listRepositories(target: CatalogTarget): Promise<string[]> {
    return (await this.keywordStores(target)).repositories.map((repository) => repository.name);
  }

  async keywordStores(target: CatalogTarget): Promise<RepositoryKeywordStores> {
    const response = await this.call(target, 'GET', '/api/v1/repositories');
    if (!response.ok) throw await this.failure(response, 'GET /api/v1/repositories');
    const body = (await response.json()) as { repositories?: { name: string; keywordStore?: string | null }[] };
    return {
      repositories: (body.repositories ?? []).map((repository) => ({
        name: repository.name,
        keywordStore: repository.keywordStore ?? null,
      })),
    };
  }

  async requestSync(target: CatalogTarget, names: readonly string[]): Promise<void> {
    for (let offset = 0; offset < names.length; offset += SYNC_REQUEST_BATCH) {
      const repositories = names.slice(offset, offset + SYNC_REQUEST_BATCH);
      const response = await this.call(target, 'POST', '/api/v1/reindex', { repositories, full: false });
      // 404: a repository was deleted meanwhile; the next reconcile reads the list again.
      if (!response.ok && response.status !== 404) throw await this.failure(response, 'POST /api/v1/reindex');
    }
  }

  async registerRepository(target: CatalogTarget, repository: NewRepository): Promise<void> {
    const response = await this.call(target, 'POST', '/api/v1/repositories', repository);
    // 409: registered meanwhile (another reconcile, or a user): nothing to do.
    if (!response.ok && response.status !== 409) throw await this.failure(response, `register ${repository.name}`);
  }

  async deleteRepository(target: CatalogTarget, name: string): Promise<void> {
    const response = await this.call(target, 'DELETE', `/api/v1/repositories/${encodeURIComponent(name)}`);
    if (!response.ok && response.status !== 404) throw await this.failure(response, `delete ${name}`);
  }

  private async call(target: CatalogTarget, method: string, path: string, body?: unknown): Promise<Response> {
    const url = `${target.gatewayUrl.replace(/\/$/, '')}${path}`;
    try {
      return await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${target.apiKey}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new DependencyError('search-gateway', `could not reach ${url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async failure(response: Response, what: string): Promise<DependencyError> {
    const text = (await response.text()).slice(0, 300);
    return new DependencyError('search-gateway', `${what}: the gateway answered ${response.status}: ${text}`);
  }
}
