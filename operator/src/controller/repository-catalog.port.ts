/**
 * The port through which the finalizer removes a MyRAGDB's repository data from external stores before the
 * resource goes away (deletionPolicy Delete). The real adapter asks the search gateway to delete each repository:
 * the gateway owns the data layout across Postgres, Meilisearch and Chroma, so the operator needs neither store
 * clients nor their credentials, and stays correct when the layout changes.
 */
import { DependencyError } from '../../../services/core/src/errors.js';

export interface CleanupTarget {
  /** Base URL of the instance's search gateway. */
  gatewayUrl: string;
  /** Admin API key of the instance (its generated MYRAGDB_API_KEY). */
  apiKey: string;
}

export interface RepositoryDataCleaner {
  deleteRepository(target: CleanupTarget, repository: string): Promise<void>;
}

export class GatewayRepositoryDataCleaner implements RepositoryDataCleaner {
  constructor(private readonly timeoutMs = 30_000) {}

  async deleteRepository(target: CleanupTarget, repository: string): Promise<void> {
    const url = `${target.gatewayUrl.replace(/\/$/, '')}/api/v1/repositories/${encodeURIComponent(repository)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${target.apiKey}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new DependencyError('search-gateway', `could not reach ${url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // 404: nothing stored for it (never indexed, or already deleted by an earlier attempt).
    if (response.ok || response.status === 404) return;
    const body = (await response.text()).slice(0, 300);
    throw new DependencyError('search-gateway', `DELETE ${url} answered ${response.status}: ${body}`);
  }
}
