import type { Catalog } from '../../ports/catalog.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import { PostgresFileCatalog } from './postgres.file-catalog.js';
import { PostgresIndexState } from './postgres.index-state.js';
import { type PostgresCatalogOptions, PostgresRepositoryCatalog } from './postgres.repository-catalog.js';
import { PostgresVectorBacklog } from './postgres.vector-backlog.js';

export type { PostgresCatalogOptions } from './postgres.repository-catalog.js';

/** An instance's public methods, bound to it, as own properties (so object spread keeps them). */
type Methods<T> = { [K in keyof T]: T[K] };
function methodsOf<T extends object>(instance: T): Methods<T> {
  const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
  const methods: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const member = prototype[name];
    if (name !== 'constructor' && typeof member === 'function') methods[name] = member.bind(instance);
  }
  return methods as Methods<T>;
}

/**
 * The catalog on PostgreSQL or PGlite (same SQL), see `Catalog`: one adapter per seam of the port, composed. Callers
 * that need only one seam (the search gateway reads chunks, the embed step pages the backlog) still get one object.
 */
export function createPostgresCatalog(sql: SqlDatabase, options: PostgresCatalogOptions = {}): Catalog {
  return {
    ...methodsOf(new PostgresRepositoryCatalog(sql, options)),
    ...methodsOf(new PostgresFileCatalog(sql)),
    ...methodsOf(new PostgresVectorBacklog(sql)),
    ...methodsOf(new PostgresIndexState(sql)),
  };
}
