import type { ChromaClient } from 'chromadb';
import { ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';
// Collections MyRAGDB made name this embedding function; registering it keeps listing them quiet.
import '../../../core/src/adapters/vector-index/external-vectors.embedding-function.js';

/** Collections whose record counts are listed in the details; beyond that only the total collection count. */
const COUNTED_COLLECTIONS = 20;

/** Chroma: heartbeat, then the number of collections and the record count of the first few. */
export class ChromaCheck implements ComponentCheck {
  readonly kind = ComponentKind.VECTOR_STORE;

  constructor(
    private readonly client: ChromaClient,
    readonly name = 'chroma',
  ) {}

  async probe(): Promise<ProbeResult> {
    await this.client.heartbeat();
    const [collectionCount, collections] = await Promise.all([
      this.client.countCollections(),
      this.client.listCollections({ limit: COUNTED_COLLECTIONS }),
    ]);
    const counts = await Promise.all(collections.map(async (c) => [c.name, await c.count()] as const));
    return {
      status: HealthStatus.HEALTHY,
      message: `heartbeat ok, ${collectionCount} collection(s)`,
      details: { collections: collectionCount, records_per_collection: Object.fromEntries(counts) },
    };
  }
}
