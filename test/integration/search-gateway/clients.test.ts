import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { apikeyCommand } from '../../../services/cli/src/commands/apikey.command.js';
import type { CommandIo } from '../../../services/cli/src/commands/command-io.js';
import { searchCommand } from '../../../services/cli/src/commands/search.command.js';
import { MCP_TOOLS } from '../../../services/search-gateway/src/mcp/mcp-server.js';
import { QUERY_TS } from '../../support/fixture-repository.js';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';

const CLI = fileURLToPath(new URL('../../../services/cli/bin/myragdb.js', import.meta.url));

function bufferIo(tty = false): CommandIo & { out(): string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (data: Buffer) => (text += data.toString()));
  return { stdout, stderr, setExitCode: () => undefined, out: () => text };
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('search gateway clients: MCP over HTTP and stdio, and the CLI', function () {
  this.timeout(90_000);
  const harness = useGateway();
  let server: Server;
  let url: string;

  before(async () => {
    server = harness.gateway.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function exercise(client: Client, admin: boolean): Promise<void> {
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    assert.deepEqual(tools, [...MCP_TOOLS].sort());

    const search = await client.callTool({ name: 'search_code', arguments: { query: 'parse query', limit: 3 } });
    assert.ok(!search.isError, text(search));
    const lines = text(search).split('\n');
    assert.match(lines[0]!, /3 result\(s\) for "parse query" \(hybrid\)/);
    assert.match(lines[1]!, /^1\. fixture\/src\/query\.ts:\d+-\d+ {2}parseQuery {2}\[keyword #1, semantic #\d+\]$/);

    const keyword = await client.callTool({
      name: 'search_code',
      arguments: { query: 'retry', mode: 'keyword', languages: ['python'] },
    });
    assert.match(text(keyword), /fixture\/lib\/users\.py:\d+-\d+/);
    assert.doesNotMatch(text(keyword), /\.ts:/);

    const file = await client.callTool({
      name: 'get_file',
      arguments: { repository: FIXTURE, path: 'src/query.ts', start: 2, end: 3 },
    });
    const expected = QUERY_TS.split('\n')
      .slice(1, 3)
      .map((line, index) => `${index + 2}: ${line}`);
    assert.equal(
      text(file),
      [`fixture/src/query.ts:2-3 (of ${QUERY_TS.split('\n').length - 1} lines)`, ...expected].join('\n'),
    );
    const escape = await client.callTool({
      name: 'get_file',
      arguments: { repository: FIXTURE, path: '../../etc/passwd' },
    });
    assert.equal(escape.isError, true);
    assert.match(text(escape), /^validation_failed: /);

    assert.match(
      text(await client.callTool({ name: 'list_repositories', arguments: {} })),
      /^fixture: (ready|indexing) {2}files=\d+/,
    );
    assert.match(
      text(await client.callTool({ name: 'get_indexing_status', arguments: { repository: FIXTURE } })),
      /^fixture: /,
    );

    const reindex = await client.callTool({ name: 'reindex', arguments: { repositories: [FIXTURE] } });
    if (admin) {
      assert.match(text(reindex), /^queued sync of fixture: job [0-9a-f-]{36}$/);
      const jobId = /job ([0-9a-f-]{36})/.exec(text(reindex))![1]!;
      assert.match(
        text(await client.callTool({ name: 'get_indexing_status', arguments: { jobId } })),
        new RegExp(`^job ${jobId}: sync of fixture is`),
      );
    } else {
      assert.equal(reindex.isError, true);
      assert.match(text(reindex), /^forbidden: /);
    }
  }

  it('serves the tools over streamable HTTP with the same API keys and scopes', async () => {
    const admin = new Client({ name: 'test', version: '1' });
    await admin.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', url), {
        requestInit: { headers: { Authorization: `Bearer ${ADMIN_KEY}` } },
      }),
    );
    await exercise(admin, true);
    await admin.close();

    const reader = await harness.gateway.apiKeys.create({ name: 'mcp-reader', scopes: ['search'] });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', url), {
        requestInit: { headers: { Authorization: `Bearer ${reader.key}` } },
      }),
    );
    await exercise(client, false);
    await client.close();

    const anonymous = new Client({ name: 'test', version: '1' });
    await assert.rejects(
      anonymous.connect(new StreamableHTTPClientTransport(new URL('/mcp', url))),
      /401|unauthorized/i,
    );
  });

  it('serves the same tools over stdio through `myragdb mcp`', async () => {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp'],
        env: { PATH: process.env.PATH ?? '', MYRAGDB_URL: url, MYRAGDB_API_KEY: ADMIN_KEY, LOG_LEVEL: 'error' },
        stderr: 'pipe',
      }),
    );
    await exercise(client, true);
    await client.close();
  });

  it('`myragdb search` prints ranked path:start-end with snippets, JSON with --json, colour only on a TTY', async () => {
    const env = { MYRAGDB_URL: url, MYRAGDB_API_KEY: ADMIN_KEY };
    const plain = bufferIo();
    await searchCommand(plain, env).parseAsync(['parseQuery', '--limit', '2'], { from: 'user' });
    const lines = plain.out().split('\n');
    assert.match(lines[0]!, /^2 result\(s\) · hybrid · [\d.]+ ms$/);
    assert.match(lines[1]!, /^1\. fixture\/src\/query\.ts:\d+-\d+ {2}parseQuery/);
    assert.ok(!plain.out().includes('\u001b['), 'no escape codes when not a TTY');

    const tty = bufferIo(true);
    await searchCommand(tty, env).parseAsync(['parseQuery', '--mode', 'keyword', '--repo', FIXTURE], { from: 'user' });
    assert.ok(tty.out().includes('\u001b['), 'coloured on a TTY');

    const json = bufferIo();
    await searchCommand(json, env).parseAsync(['retry', '--json', '--mode', 'keyword', '--language', 'python'], {
      from: 'user',
    });
    const body = JSON.parse(json.out()) as { results: Array<{ language: string }> };
    assert.ok(body.results.length > 0 && body.results.every((result) => result.language === 'python'));

    await assert.rejects(
      searchCommand(bufferIo(), { ...env, MYRAGDB_API_KEY: 'wrong' }).parseAsync(['x'], { from: 'user' }),
      /refused the API key/,
    );
    await assert.rejects(
      searchCommand(bufferIo(), { ...env, MYRAGDB_URL: 'http://127.0.0.1:9' }).parseAsync(['x'], { from: 'user' }),
      /cannot reach the gateway/,
    );
  });

  it('`myragdb apikey create|list|revoke` manages keys the gateway accepts and then refuses', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = harness.databaseUrl;
    try {
      const created = bufferIo();
      await apikeyCommand(created).parseAsync(
        ['create', '--name', 'ci bot', '--scope', 'search', '--expires-in', '30d', '--json'],
        {
          from: 'user',
        },
      );
      const key = JSON.parse(created.out()) as { id: string; key: string; scopes: string[]; expiresAt: string };
      assert.deepEqual(key.scopes, ['search']);
      assert.ok(new Date(key.expiresAt).getTime() > Date.now() + 29 * 86_400_000);

      const search = () =>
        fetch(new URL('/api/v1/search', url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key.key}` },
          body: JSON.stringify({ query: 'parseQuery' }),
        });
      assert.equal((await search()).status, 200);

      const listed = bufferIo();
      await apikeyCommand(listed).parseAsync(['list'], { from: 'user' });
      assert.match(listed.out(), new RegExp(`${key.id}.*ci bot.*search.*active`));
      assert.ok(!listed.out().includes(key.key));

      await apikeyCommand(bufferIo()).parseAsync(['revoke', key.id], { from: 'user' });
      assert.equal((await search()).status, 401);
      await assert.rejects(
        apikeyCommand(bufferIo()).parseAsync(['revoke', key.id], { from: 'user' }),
        /no active API key/,
      );
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});
