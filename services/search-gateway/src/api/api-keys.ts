/**
 * The gateway's API keys as other deployables may use them: `myragdb apikey` manages keys in the catalog database,
 * `myragdb up` and `myragdb mcp` read the local admin key file. Everything else under auth/ stays internal.
 */
import type { SqlQueryable } from '../../../core/src/ports/sql-database.js';
import { ApiKeyRepository } from '../auth/api-key.repository.js';
import { ApiKeyService } from '../auth/api-key.service.js';

export {
  ADMIN_KEY_FILE,
  API_KEY_SCOPES,
  BOOTSTRAP_KEY_ID,
  generateApiKey,
  type ApiKeyScope,
} from '../auth/api-key-secret.js';
export type { ApiKeyService };

/** The key service over the catalog database's api_keys table. */
export function createApiKeyService(sql: SqlQueryable): ApiKeyService {
  return new ApiKeyService(new ApiKeyRepository(sql));
}
