import {
  newRepositorySchema,
  storedRepositorySourceSchema,
  repositoryUpdateSchema,
  type NewRepository,
  type Repository,
  type RepositorySource,
  type RepositoryUpdate,
} from '../../domain/repository.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { RepositoryCatalog } from '../../ports/catalog.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import type { CredentialCipher } from '../../security/credential-cipher.js';
import { parseValid } from '../../validation.js';
import { sqlState } from '../sql-database/sql-errors.js';
import { translateWriteError } from './catalog-sql-errors.js';

export interface PostgresCatalogOptions {
  /** Seals git credentials (AUTH_ENCRYPTION_KEY); without it, repositories with credentials are refused. */
  cipher?: CredentialCipher;
}

interface RepositoryRow {
  name: string;
  source: StoredSource;
  include_globs: string[];
  exclude_globs: string[];
  max_file_bytes: number;
  created_at: Date;
  updated_at: Date;
}

/** A source as stored: git credentials replaced by their sealed JSON. */
type GitSource = Extract<RepositorySource, { type: 'git' }>;
type StoredSource = Exclude<RepositorySource, GitSource> | (Omit<GitSource, 'credentials'> & { credentials?: string });

/** Registered repositories, their git credentials sealed at rest. */
export class PostgresRepositoryCatalog implements RepositoryCatalog {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly options: PostgresCatalogOptions = {},
  ) {}

  async createRepository(input: NewRepository): Promise<Repository> {
    const repository = parseValid(newRepositorySchema, input, 'repository');
    try {
      const row = await this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<RepositoryRow>(
          `INSERT INTO repositories (name, source, include_globs, exclude_globs, max_file_bytes)
           VALUES ($1, $2::jsonb, $3::text[], $4::text[], $5) RETURNING *`,
          [
            repository.name,
            JSON.stringify(this.#sealSource(repository.source)),
            repository.include,
            repository.exclude,
            repository.maxFileBytes,
          ],
        );
        await tx.query('INSERT INTO index_state (repository) VALUES ($1)', [repository.name]);
        return rows[0]!;
      });
      return this.#toRepository(row);
    } catch (error) {
      if (sqlState(error) === '23505') {
        throw new ConflictError(`repository "${repository.name}" already exists`, { cause: error });
      }
      return translateWriteError(error, repository.name);
    }
  }

  async getRepository(name: string): Promise<Repository> {
    const { rows } = await this.sql.query<RepositoryRow>('SELECT * FROM repositories WHERE name = $1', [name]);
    if (!rows[0]) throw new NotFoundError(`repository "${name}" does not exist`);
    return this.#toRepository(rows[0]);
  }

  async listRepositories(): Promise<Repository[]> {
    const { rows } = await this.sql.query<RepositoryRow>('SELECT * FROM repositories ORDER BY name');
    return rows.map((row) => this.#toRepository(row));
  }

  async updateRepository(name: string, update: RepositoryUpdate): Promise<Repository> {
    const changes = parseValid(repositoryUpdateSchema, update, 'repository update');
    const current = await this.getRepository(name);
    const next = {
      source: changes.source ?? current.source,
      include: changes.include ?? current.include,
      exclude: changes.exclude ?? current.exclude,
      maxFileBytes: changes.maxFileBytes ?? current.maxFileBytes,
    };
    try {
      const { rows } = await this.sql.query<RepositoryRow>(
        `UPDATE repositories SET source = $2::jsonb, include_globs = $3::text[], exclude_globs = $4::text[],
           max_file_bytes = $5, updated_at = now()
         WHERE name = $1 RETURNING *`,
        [name, JSON.stringify(this.#sealSource(next.source)), next.include, next.exclude, next.maxFileBytes],
      );
      if (!rows[0]) throw new NotFoundError(`repository "${name}" does not exist`);
      return this.#toRepository(rows[0]);
    } catch (error) {
      return translateWriteError(error, name);
    }
  }

  async deleteRepository(name: string): Promise<void> {
    const { rowCount } = await this.sql.query('DELETE FROM repositories WHERE name = $1', [name]);
    if (rowCount === 0) throw new NotFoundError(`repository "${name}" does not exist`);
  }

  #sealSource(source: RepositorySource): StoredSource {
    if (source.type !== 'git') return source;
    const { credentials, ...rest } = source;
    if (!credentials) return rest;
    if (!this.options.cipher) {
      throw new ValidationError('git credentials can only be stored when AUTH_ENCRYPTION_KEY is set');
    }
    return { ...rest, credentials: this.options.cipher.seal(JSON.stringify(credentials)) };
  }

  #toRepository(row: RepositoryRow): Repository {
    const stored = row.source;
    let source: unknown = stored;
    let credentialsUnavailable: string | undefined;
    if (stored.type === 'git' && stored.credentials !== undefined) {
      const { credentials: sealed, ...withoutCredentials } = stored;
      source = withoutCredentials;
      if (!this.options.cipher) {
        credentialsUnavailable = `repository "${row.name}" has stored credentials; set AUTH_ENCRYPTION_KEY to use them`;
      } else {
        try {
          source = { ...stored, credentials: JSON.parse(this.options.cipher.open(sealed)) as unknown };
        } catch {
          credentialsUnavailable = `the stored credentials of repository "${row.name}" cannot be decrypted with this AUTH_ENCRYPTION_KEY`;
        }
      }
    }
    return {
      name: row.name,
      source: parseValid(storedRepositorySourceSchema, source, `stored source of "${row.name}"`),
      include: row.include_globs,
      exclude: row.exclude_globs,
      maxFileBytes: row.max_file_bytes,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...(credentialsUnavailable ? { credentialsUnavailable } : {}),
    };
  }
}
