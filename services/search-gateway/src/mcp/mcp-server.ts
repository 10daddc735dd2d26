import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toErrorResponse } from '../../../core/src/http/error-response.js';
import { FileParams, FileQuery } from '../api/file.schemas.js';
import { JobIdParams, ReindexRequest } from '../api/repository.schemas.js';
import { SearchRequest } from '../api/search.schemas.js';
import { RepositoryName } from '../api/common.schemas.js';
import { type ApiPrincipal, requireScope } from '../auth/api-key.service.js';
import type { FileService } from '../services/file.service.js';
import type { RepositoryService } from '../services/repository.service.js';
import type { SearchService } from '../services/search.service.js';
import { formatFile, formatJob, formatRepositories, formatRepository, formatSearchResults } from './mcp-format.js';

export interface McpServices {
  search: SearchService;
  files: FileService;
  repositories: RepositoryService;
}

export const MCP_TOOLS = ['search_code', 'get_file', 'list_repositories', 'get_indexing_status', 'reindex'] as const;

/** The principal of a stdio session: the local user who started `myragdb mcp` (and can read the database anyway). */
export const LOCAL_PRINCIPAL: ApiPrincipal = { keyId: 'local', scopes: ['admin'] };

const search = SearchRequest.shape;

/**
 * MyRAGDB's MCP server: the same services as the REST API behind five tools with compact, citable text results.
 * A new server per HTTP request (stateless streamable HTTP) or one per stdio session; `principal` decides what
 * the caller may do (reindex needs the admin scope). Errors come back as tool errors with the API's safe message.
 */
export function createMcpServer(services: McpServices, principal: ApiPrincipal, version: string): McpServer {
  const server = new McpServer({ name: 'myragdb', version });

  server.registerTool(
    'search_code',
    {
      title: 'Search code and docs',
      description:
        'Hybrid (keyword + semantic) search over the indexed repositories. Identifiers (`parseQuery`) and questions ' +
        '("where do we retry HTTP calls?") both work. Results cite repository/path:start-end.',
      inputSchema: {
        query: search.query,
        mode: search.mode,
        limit: search.limit,
        repositories: search.repositories,
        languages: search.languages,
        pathGlobs: search.pathGlobs,
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        requireScope(principal, 'search');
        const request = SearchRequest.parse(args);
        return formatSearchResults(request.query, await services.search.search(request));
      }),
  );

  server.registerTool(
    'get_file',
    {
      title: 'Read file lines',
      description: 'Lines of an indexed file (e.g. to read around a search result). At most 2000 lines per call.',
      inputSchema: { ...FileParams.shape, ...FileQuery.shape },
      annotations: { readOnlyHint: true },
    },
    ({ repository, path, start, end }) =>
      run(async () => {
        requireScope(principal, 'search');
        return formatFile(await services.files.read(repository, path, { start, end }));
      }),
  );

  server.registerTool(
    'list_repositories',
    {
      title: 'List repositories',
      description: 'Every indexed repository with its status, file and chunk counts.',
      annotations: { readOnlyHint: true },
    },
    () =>
      run(async () => {
        requireScope(principal, 'search');
        return formatRepositories(await services.repositories.list());
      }),
  );

  server.registerTool(
    'get_indexing_status',
    {
      title: 'Indexing status',
      description: 'Status of one repository, or of an indexing job by id; all repositories when neither is given.',
      inputSchema: { repository: RepositoryName.optional(), jobId: JobIdParams.shape.id.optional() },
      annotations: { readOnlyHint: true },
    },
    ({ repository, jobId }) =>
      run(async () => {
        requireScope(principal, 'search');
        if (jobId) return formatJob(await services.repositories.job(jobId));
        if (repository) {
          await services.repositories.get(repository);
          return formatRepository(await services.repositories.status(repository));
        }
        return formatRepositories(await services.repositories.list());
      }),
  );

  server.registerTool(
    'reindex',
    {
      title: 'Reindex',
      description: 'Queue a sync (or, with full, a rebuild) of some or all repositories. Needs an admin key.',
      inputSchema: { repositories: ReindexRequest.shape.repositories, full: z.boolean().optional() },
      annotations: { readOnlyHint: false, idempotentHint: true },
    },
    ({ repositories, full }) =>
      run(async () => {
        requireScope(principal, 'admin');
        const jobs = await services.repositories.reindex(repositories, full ?? false);
        if (jobs.length === 0) return 'No repositories to reindex.';
        return jobs.map((job) => `queued ${job.kind} of ${job.repository}: job ${job.id}`).join('\n');
      }),
  );

  return server;
}

async function run(work: () => Promise<string>): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: await work() }] };
  } catch (error) {
    const { body } = toErrorResponse(error, undefined);
    return { isError: true, content: [{ type: 'text', text: `${body.error.code}: ${body.error.message}` }] };
  }
}
