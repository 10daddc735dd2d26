import { SearchRequest, SearchResponse } from '../../api/search.schemas.js';
import type { SearchService } from '../../services/search.service.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

export function searchRoutes(search: SearchService): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/search',
      operationId: 'search',
      summary: 'Hybrid (keyword + semantic) search over the indexed repositories',
      tags: ['search'],
      scope: 'search',
      request: { body: SearchRequest },
      responses: {
        200: { description: 'Ranked results with per-leg ranks and scores', schema: SearchResponse },
        503: { description: 'Neither search leg can answer' },
      },
      handler: async ({ body }) => ({ status: 200, body: await search.search(body) }),
    }),
  ];
}
