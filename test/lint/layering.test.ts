/**
 * The layering rules in eslint.config.js must fire: each case lints a file that breaks one rule, placed where the
 * rule applies (a temporary file inside the tree, removed afterwards), through ESLint's Node API.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function ruleIdsFor(files: Record<string, string>, lint: string): Promise<string[]> {
  const written = Object.keys(files).map((file) => path.join(root, file));
  try {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
    const [result] = await new ESLint({ cwd: root }).lintFiles([path.join(root, lint)]);
    return result!.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`);
  } finally {
    for (const file of written) rmSync(file, { force: true });
  }
}

describe('layering rules (eslint.config.js)', function () {
  this.timeout(180_000);

  it('a port importing an adapter, express or node:fs is an error', async () => {
    const rules = await ruleIdsFor(
      {
        'services/core/src/ports/zz-layering-probe.ts': [
          "import { readFileSync } from 'node:fs';",
          "import express from 'express';",
          "import { createPostgresCatalog } from '../adapters/catalog/postgres.catalog.js';",
          'export const probe = [readFileSync, express, createPostgresCatalog];',
          '',
        ].join('\n'),
      },
      'services/core/src/ports/zz-layering-probe.ts',
    );
    assert.deepEqual(rules, ['no-restricted-imports', 'no-restricted-imports', 'no-restricted-imports']);
  });

  it('the CLI importing a gateway internal is an error; its api/ and runtime modules are fine', async () => {
    const rules = await ruleIdsFor(
      {
        'services/cli/src/zz-layering-probe.ts': [
          "import { ApiKeyRepository } from '../../search-gateway/src/auth/api-key.repository.js';",
          "import { MCP_PATH } from '../../search-gateway/src/api/paths.js';",
          "import { createGatewayRuntime } from '../../search-gateway/src/gateway-runtime.js';",
          'export const probe = [ApiKeyRepository, MCP_PATH, createGatewayRuntime];',
          '',
        ].join('\n'),
      },
      'services/cli/src/zz-layering-probe.ts',
    );
    assert.deepEqual(rules, ['no-restricted-imports']);
  });

  it('an import cycle is an error', async () => {
    const rules = await ruleIdsFor(
      {
        'services/core/src/zz-cycle-a.ts':
          "import { b } from './zz-cycle-b.js';\nexport const a = (): number => b + 1;\n",
        'services/core/src/zz-cycle-b.ts':
          "import { a } from './zz-cycle-a.js';\nexport const b = 1;\nexport const c = a;\n",
      },
      'services/core/src/zz-cycle-a.ts',
    );
    assert.deepEqual(rules, ['import-x/no-cycle']);
  });
});
