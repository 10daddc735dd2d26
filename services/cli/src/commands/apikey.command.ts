import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { withCatalogStores } from '../../../core/src/stores/open-stores.js';
import {
  API_KEY_SCOPES,
  createApiKeyService,
  type ApiKeyScope,
  type ApiKeyService,
} from '../../../search-gateway/src/api/api-keys.js';
import { type CommandIo, printJson, processIo } from './command-io.js';

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

/**
 * `myragdb apikey create|list|revoke`: manages the gateway's API keys directly in the catalog database (as an
 * operator with database access, like `myragdb repo`). A created key is printed once; only its hash is stored.
 */
export function apikeyCommand(io: CommandIo = processIo()): Command {
  const apikey = new Command('apikey').description('Create, list and revoke search gateway API keys');
  const withKeys = <T>(work: (keys: ApiKeyService) => Promise<T>) =>
    withCatalogStores('myragdb-cli', (stores) => work(createApiKeyService(stores.sql)));

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
      const created = await withKeys((keys) =>
        keys.create({
          name: options.name.trim(),
          scopes: options.scope ?? ['search'],
          expiresAt: options.expiresIn ? new Date(Date.now() + options.expiresIn) : null,
        }),
      );
      if (options.json) return printJson(io, created);
      io.stdout.write(
        `Created API key ${created.id} (${created.scopes.join(', ')})${created.expiresAt ? `, expires ${created.expiresAt.toISOString()}` : ''}.\n` +
          `Store it now; it is not shown again:\n\n  ${created.key}\n\n`,
      );
    });

  apikey
    .command('list')
    .description('List keys (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const keys = await withKeys((service) => service.list());
      if (options.json) return printJson(io, keys);
      const now = Date.now();
      const table = new Table({ head: ['id', 'name', 'scopes', 'state', 'created', 'expires', 'last used'] });
      for (const key of keys) {
        const state = key.revokedAt
          ? 'revoked'
          : key.expiresAt && key.expiresAt.getTime() <= now
            ? 'expired'
            : 'active';
        table.push([
          key.id,
          key.name,
          key.scopes.join(','),
          state,
          key.createdAt.toISOString(),
          key.expiresAt?.toISOString() ?? 'never',
          key.lastUsedAt?.toISOString() ?? 'never',
        ]);
      }
      io.stdout.write(keys.length === 0 ? 'No API keys.\n' : `${table.toString()}\n`);
    });

  apikey
    .command('revoke')
    .description('Revoke a key by id; requests with it fail from now on')
    .argument('<id>', 'key id (from `apikey list`)')
    .action(async (id: string) => {
      await withKeys((keys) => keys.revoke(id, new Date()));
      io.stdout.write(`Revoked API key ${id}.\n`);
    });

  return apikey;
}
