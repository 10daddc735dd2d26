import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { readDataDirOwner } from '../../../core/src/db/data-dir-lock.js';
import { withCatalogStores } from '../../../core/src/stores/open-stores.js';
import { type ApiKey, toApiKey } from '../../../search-gateway/src/api/api-key.schemas.js';
import {
  API_KEY_SCOPES,
  createApiKeyService,
  type ApiKeyScope,
  type ApiKeyService,
} from '../../../search-gateway/src/api/api-keys.js';
import { type CommandIo, printJson, processIo } from './command-io.js';
import { resolveApiKey } from './mcp.command.js';

const DURATION = /^(\d+)([hdw])$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `--expires-in 30d`: hours, days or weeks from now. */
export function parseExpiresIn(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match || Number(match[1]) <= 0) throw new InvalidArgumentError('must be a duration such as 12h, 30d or 8w');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function collectScope(value: string, previous: ApiKeyScope[] | undefined): ApiKeyScope[] {
  if (!(API_KEY_SCOPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${API_KEY_SCOPES.join(', ')}`);
  }
  return [...(previous ?? []), value as ApiKeyScope];
}

/** What the key commands need, from the database directly or from the running `myragdb up` over HTTP. */
interface KeyManager {
  create(input: { name: string; scopes: ApiKeyScope[]; expiresAt: Date | null }): Promise<ApiKey & { key: string }>;
  list(): Promise<ApiKey[]>;
  revoke(id: string): Promise<void>;
}

function databaseKeyManager(keys: ApiKeyService): KeyManager {
  return {
    create: async (input) => {
      const created = await keys.create(input);
      return { ...toApiKey(created, new Date()), key: created.key };
    },
    list: async () => {
      const now = new Date();
      return (await keys.list()).map((record) => toApiKey(record, now));
    },
    revoke: (id) => keys.revoke(id, new Date()),
  };
}

/** The gateway's admin key routes (`/api/v1/keys`), for a data dir another process (`myragdb up`) has open. */
function httpKeyManager(gatewayUrl: string, adminKey: string): KeyManager {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(`/api/v1${path}`, gatewayUrl), {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const payload = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!response.ok) throw new Error(payload.error?.message ?? `the gateway answered HTTP ${response.status}`);
    return payload as T;
  };
  return {
    create: (input) =>
      call('POST', '/keys', {
        name: input.name,
        scopes: input.scopes,
        ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
      }),
    list: async () => (await call<{ keys: ApiKey[] }>('GET', '/keys')).keys,
    revoke: async (id) => {
      await call('DELETE', `/keys/${encodeURIComponent(id)}`);
    },
  };
}

/**
 * The catalog database (DATABASE_URL, or the embedded one in the data dir); when `myragdb up` has the embedded
 * database open, its gateway instead, so a revocation reaches the running process at once rather than a second
 * copy of the database it would never see.
 */
async function withKeyManager<T>(work: (keys: KeyManager) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const owner = config.DATABASE_URL ? undefined : await readDataDirOwner(resolve(config.MYRAGDB_DATA_DIR));
  if (owner?.gatewayUrl) {
    return work(httpKeyManager(owner.gatewayUrl, await resolveApiKey(process.env, config.MYRAGDB_DATA_DIR)));
  }
  return withCatalogStores('myragdb-cli', (stores) => work(databaseKeyManager(createApiKeyService(stores.sql))));
}

/**
 * `myragdb apikey create|list|revoke`: manages the gateway's API keys in the catalog database (as an operator with
 * database access, like `myragdb repo`), or through the running `myragdb up` that holds the embedded one. A created
 * key is printed once; only its hash is stored.
 */
export function apikeyCommand(io: CommandIo = processIo()): Command {
  const apikey = new Command('apikey').description('Create, list and revoke search gateway API keys');

  apikey
    .command('create')
    .description('Create a key; it is shown once and cannot be recovered')
    .requiredOption('--name <name>', 'who or what the key is for')
    .addOption(new Option('--scope <scope>', 'search or admin (repeatable; default search)').argParser(collectScope))
    .option('--expires-in <duration>', 'expiry such as 12h, 30d or 8w (default: never)', parseExpiresIn)
    .option('--json', 'machine-readable output')
    .action(async (options: { name: string; scope?: ApiKeyScope[]; expiresIn?: number; json?: boolean }) => {
      if (options.name.trim().length === 0 || options.name.length > 200) {
        throw new InvalidArgumentError('--name must be 1-200 characters');
      }
      const created = await withKeyManager((keys) =>
        keys.create({
          name: options.name.trim(),
          scopes: [...new Set<ApiKeyScope>(options.scope ?? ['search'])],
          expiresAt: options.expiresIn ? new Date(Date.now() + options.expiresIn) : null,
        }),
      );
      if (options.json) return printJson(io, created);
      io.stdout.write(
        `Created API key ${created.id} (${created.scopes.join(', ')})${created.expiresAt ? `, expires ${created.expiresAt}` : ''}.\n` +
          `Store it now; it is not shown again:\n\n  ${created.key}\n\n`,
      );
    });

  apikey
    .command('list')
    .description('List keys (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const keys = await withKeyManager((manager) => manager.list());
      if (options.json) return printJson(io, keys);
      const table = new Table({ head: ['id', 'name', 'scopes', 'state', 'created', 'expires', 'last used'] });
      for (const key of keys) {
        table.push([
          key.id,
          key.name,
          key.scopes.join(','),
          key.state,
          key.createdAt,
          key.expiresAt ?? 'never',
          key.lastUsedAt ?? 'never',
        ]);
      }
      io.stdout.write(keys.length === 0 ? 'No API keys.\n' : `${table.toString()}\n`);
    });

  apikey
    .command('revoke')
    .description('Revoke a key by id; requests with it fail from the next one on')
    .argument('<id>', 'key id (from `apikey list`)')
    .action(async (id: string) => {
      await withKeyManager((keys) => keys.revoke(id));
      io.stdout.write(`Revoked API key ${id}.\n`);
    });

  return apikey;
}
