import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Router } from 'express';
import { createMcpServer, type McpServices } from '../../mcp/mcp-server.js';
import { principalOf, type RouteGuard } from '../api-route.js';
import { OPENAPI_INFO } from './openapi.routes.js';
import { MCP_PATH } from '../../api/paths.js';

/**
 * MCP over streamable HTTP, stateless: every POST gets a fresh server bound to the caller's API key, answers with
 * JSON, and is gone when the response closes, so any replica can serve any request. There is no server-initiated
 * stream, so GET and DELETE are refused.
 */
export function mountMcpRoutes(router: Router, services: McpServices, guard: RouteGuard): void {
  router.post(MCP_PATH, ...guard.requireScope('search'), async (req, res) => {
    const server = createMcpServer(services, principalOf(res)!, OPENAPI_INFO.version);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  router.all(MCP_PATH, (_req, res) => {
    res
      .status(405)
      .set('Allow', 'POST')
      .json({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless, POST only' },
        id: null,
      });
  });
}
