import { FileContent, FileParams, FileQuery } from '../../api/file.schemas.js';
import type { FileService } from '../../services/file.service.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

export function filesRoutes(files: FileService): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/files/{repository}/{path}',
      // `path` spans segments (`src/lib/a.ts`); express 5 hands a wildcard over as the list of its segments.
      expressPath: '/files/:repository/*path',
      operationId: 'getFile',
      summary: 'Lines of an indexed file, confined to its repository',
      tags: ['files'],
      scope: 'search',
      request: { params: FileParams, query: FileQuery },
      responses: {
        200: { description: 'The requested lines', schema: FileContent },
        404: { description: 'Unknown repository, or a file that is not indexed in it' },
      },
      handler: async ({ params, query }) => ({
        status: 200,
        body: await files.read(params.repository, params.path, query),
      }),
    }),
  ];
}
