/** Where the gateway serves MCP (streamable HTTP); clients such as `myragdb mcp` connect here. */
export const MCP_PATH = '/mcp';
