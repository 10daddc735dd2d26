import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Command } from 'commander';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { UnauthorizedError } from '../../../core/src/errors.js';
import { ADMIN_KEY_FILE } from '../../../search-gateway/src/api/api-keys.js';
import { MCP_PATH } from '../../../search-gateway/src/api/paths.js';

/** MYRAGDB_API_KEY, else the admin key `myragdb up` wrote into the data dir. */
export async function resolveApiKey(env: NodeJS.ProcessEnv, dataDir: string): Promise<string> {
  if (env.MYRAGDB_API_KEY) return env.MYRAGDB_API_KEY;
  const file = join(resolve(dataDir), ADMIN_KEY_FILE);
  const key = await readFile(file, 'utf8').catch(() => undefined);
  if (!key?.trim())
    throw new UnauthorizedError(`no API key: set MYRAGDB_API_KEY (or run \`myragdb up\`, which writes ${file})`);
  return key.trim();
}

/**
 * Relays MCP between stdio (the agent that spawned us) and the gateway's streamable HTTP endpoint, message by
 * message. The gateway does the work, so this process stays small (no model, no database: an embedded PGlite
 * belongs to the `myragdb up` process anyway) and a stdio session obeys the same API key and scopes as HTTP.
 */
export async function runMcpStdioBridge(
  gatewayUrl: string,
  apiKey: string,
  log: (line: string) => void,
): Promise<void> {
  const upstream = new StreamableHTTPClientTransport(new URL(MCP_PATH, gatewayUrl), {
    requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
  });
  const stdio = new StdioServerTransport();
  const closed = new Promise<void>((resolveClosed) => {
    stdio.onclose = () => resolveClosed();
  });

  stdio.onmessage = (message: JSONRPCMessage) => {
    upstream.send(message).catch(async (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      log(`myragdb mcp: the gateway at ${gatewayUrl} did not take the message: ${reason}`);
      // Answer the request ourselves so the agent gets an error instead of waiting forever.
      if (isJSONRPCRequest(message)) {
        await stdio.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `MyRAGDB gateway unavailable: ${reason}` },
        });
      }
    });
  };
  upstream.onmessage = (message) => {
    void stdio.send(message);
  };
  upstream.onerror = (error) => log(`myragdb mcp: ${error.message}`);
  stdio.onerror = (error) => log(`myragdb mcp: ${error.message}`);

  await upstream.start();
  await stdio.start();
  await closed;
  await upstream.close();
}

/** `myragdb mcp`: MCP over stdio for agents that spawn their tools (Claude Desktop, IDEs), served by MYRAGDB_URL. */
export function mcpCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('mcp')
    .description('Serve MyRAGDB to an MCP client over stdio (relayed to the gateway at MYRAGDB_URL)')
    .action(async () => {
      const config = loadConfig(env);
      const key = await resolveApiKey(env, config.MYRAGDB_DATA_DIR);
      await runMcpStdioBridge(config.MYRAGDB_URL, key, (line) => process.stderr.write(`${line}\n`));
    });
}
