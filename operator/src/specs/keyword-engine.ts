/**
 * Switching an instance's keyword engine without a moment where search finds nothing (pure). The indexer writes into
 * the engine of `spec.keywordEngine` at once: its next sync of each repository fills that engine from the catalog
 * (the catalog records which keyword store holds each repository's documents; nothing is re-read or re-embedded).
 * The search gateway keeps the engine that already holds the documents until every repository is in the new one,
 * then follows. Changes indexed during the switch reach searches when it completes.
 */
import type { KeywordEngine } from '../api/v1alpha1/conditions.js';
import type { KeywordEngineStatus } from '../api/v1alpha1/myragdb.types.js';

/** Repositories of the instance and the keyword store each one's documents are in (null: never indexed). */
export interface RepositoryKeywordStores {
  repositories: readonly { name: string; keywordStore: string | null }[];
}

/** The engine the search gateway (and health checks) use, and the one the indexer writes into. */
export interface KeywordEngines {
  serving: KeywordEngine;
  indexing: KeywordEngine;
}

export function keywordEngines(wanted: KeywordEngine, status: KeywordEngineStatus | undefined): KeywordEngines {
  // No status yet: a new instance, or one from before switching existed (always Meilisearch then, the default).
  return { serving: status?.serving ?? wanted, indexing: wanted };
}

/** Whether the repository's documents are in `engine` (keyword stores are named `<engine>/...`). */
export function inEngine(keywordStore: string | null, engine: KeywordEngine): boolean {
  return keywordStore?.startsWith(`${engine}/`) ?? false;
}

/** Repositories whose documents still have to reach the indexing engine. */
export function repositoriesToMove(engines: KeywordEngines, catalog: RepositoryKeywordStores): string[] {
  return catalog.repositories
    .filter((repository) => !inEngine(repository.keywordStore, engines.indexing))
    .map((repository) => repository.name);
}

/**
 * The next `status.keywordEngine`: steady when the engines agree; during a switch, the progress read from the
 * catalog (unknown while the gateway cannot answer), and the switch done once every repository is in the new
 * engine (at once when there are none).
 */
export function nextKeywordEngineStatus(
  engines: KeywordEngines,
  catalog: RepositoryKeywordStores | undefined,
): KeywordEngineStatus {
  if (engines.serving === engines.indexing) return { serving: engines.serving };
  if (catalog === undefined) return { serving: engines.serving, target: engines.indexing };
  const total = catalog.repositories.length;
  const moved = total - repositoriesToMove(engines, catalog).length;
  if (moved === total) return { serving: engines.indexing };
  return { serving: engines.serving, target: engines.indexing, repositories: total, repositoriesMoved: moved };
}

/** What Ready waits for during a switch, e.g. `keyword engine: 3 of 5 repositories moved to postgres`. */
export function keywordEngineWaiting(status: KeywordEngineStatus | undefined): string[] {
  if (!status?.target) return [];
  const progress =
    status.repositories === undefined
      ? 'progress unknown until the search gateway answers'
      : `${status.repositoriesMoved ?? 0} of ${status.repositories} repositories moved`;
  return [`keyword engine ${status.serving} -> ${status.target}: ${progress}`];
}
