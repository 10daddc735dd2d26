import { parseMyRAGDBSpec } from '../../src/api/v1alpha1/myragdb.spec.js';
import type { BuildContext } from '../../src/specs/build-context.js';

export const owner = { name: 'docs', namespace: 'search', uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' };

export const secrets = {
  postgresPassword: 'pg-password-value-0123456789abcdef',
  meilisearchMasterKey: 'meili-master-key-0123456789abcdef',
  secretKey: 'secret-key-value-0123456789abcdefghij',
  authEncryptionKey: 'auth-key-value-0123456789abcdefghij',
  apiKey: 'api-key-value-0123456789abcdefghij',
  redisPassword: 'redis-password-value-0123456789abcd',
};

export function contextFor(rawSpec: unknown, observed: Partial<BuildContext['observed']> = {}): BuildContext {
  const parsed = parseMyRAGDBSpec(rawSpec);
  if (!parsed.ok) throw new Error(parsed.message);
  return { owner, spec: parsed.spec, secrets, observed: { storeTemplateSizes: {}, ...observed } };
}
