import { toAppError } from '../../../../core/src/http/error-response.js';
import { SearchRequest, SearchResponse } from '../../api/search.schemas.js';
import type { SearchActivity } from '../../activity/search-activity.js';
import type { SearchService } from '../../services/search.service.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

/** Search, counted into `activity` (volume, latency, failures) when given. */
export function searchRoutes(search: SearchService, activity?: SearchActivity): ApiRoute[] {
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
      handler: async ({ body }) => {
        const started = performance.now();
        try {
          const response = await search.search(body);
          activity?.record(body.mode, performance.now() - started, response.degraded?.length ? 'degraded' : 'ok');
          return { status: 200, body: response };
        } catch (error) {
          // The error rate is the server's: a search the client got wrong (an unknown repository) is not counted.
          if (toAppError(error).httpStatus >= 500) {
            activity?.record(body.mode, performance.now() - started, 'failed');
          }
          throw error;
        }
      },
    }),
  ];
}
