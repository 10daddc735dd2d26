import { z } from 'zod';
import type { SearchActivity } from '../../activity/search-activity.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

const ActivityQuery = z.strictObject({
  hours: z.coerce.number().int().min(1).max(168).default(24).describe('How far back, in hours (at most 7 days).'),
});

const ActivityPoint = z
  .object({
    at: z.iso.datetime().describe('Start of the step.'),
    searches: z.int().min(0),
    failures: z.int().min(0),
    degraded: z.int().min(0).describe('Searches answered by one leg only.'),
    meanMs: z.number().nullable(),
    p50Ms: z.number().nullable().describe('Upper bound of the latency bucket holding the median.'),
    p95Ms: z.number().nullable(),
  })
  .meta({ id: 'ActivityPoint' });

export const SearchActivityResponse = z
  .object({ stepMinutes: z.int().min(1), points: z.array(ActivityPoint) })
  .meta({ id: 'SearchActivity' });

export function activityRoutes(activity: SearchActivity): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/activity',
      operationId: 'searchActivity',
      summary: 'Search volume, latency and failures over time, across every gateway replica',
      tags: ['health'],
      scope: 'search',
      request: { query: ActivityQuery },
      responses: { 200: { description: 'One point per step, oldest first', schema: SearchActivityResponse } },
      handler: async ({ query }) => ({ status: 200, body: await activity.read(query.hours) }),
    }),
  ];
}
