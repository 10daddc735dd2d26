/** Where the gateway serves MCP (streamable HTTP); clients such as `myragdb mcp` connect here. */
export const MCP_PATH = '/mcp';

/** Where a one-time web UI sign-in link points (`?token=…`); `myragdb up` prints one. */
export const SIGN_IN_LINK_PATH = '/auth/link';
