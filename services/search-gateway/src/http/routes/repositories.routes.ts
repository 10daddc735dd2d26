import { z } from 'zod';
import {
  CreateRepositoryRequest,
  Job,
  JobIdParams,
  JobList,
  JobListQuery,
  ReindexRequest,
  ReindexResponse,
  RepositoryList,
  RepositoryNameParams,
  RepositoryStatus,
} from '../../api/repository.schemas.js';
import type { RepositoryService } from '../../services/repository.service.js';
import { type ApiRoute, defineRoute } from '../api-route.js';

const CreatedRepository = RepositoryStatus.extend({ job: z.object({ id: z.string() }) }).meta({
  id: 'CreatedRepository',
});

export function repositoriesRoutes(repositories: RepositoryService): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/repositories',
      operationId: 'createRepository',
      summary: 'Register a repository; its first index job is queued at once',
      tags: ['repositories'],
      scope: 'admin',
      request: { body: CreateRepositoryRequest },
      responses: {
        201: { description: 'Registered; indexing is queued', schema: CreatedRepository },
        409: { description: 'A repository with this name exists' },
      },
      handler: async ({ body }) => ({ status: 201, body: await repositories.create(body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/repositories',
      operationId: 'listRepositories',
      summary: 'Every repository with its indexing status',
      tags: ['repositories'],
      scope: 'search',
      responses: { 200: { description: 'Repositories', schema: RepositoryList } },
      handler: async () => ({ status: 200, body: { repositories: await repositories.list() } }),
    }),
    defineRoute({
      method: 'get',
      path: '/repositories/{name}',
      operationId: 'getRepository',
      summary: 'Indexing status of one repository',
      tags: ['repositories'],
      scope: 'search',
      request: { params: RepositoryNameParams },
      responses: {
        200: { description: 'Status', schema: RepositoryStatus },
        404: { description: 'No such repository' },
      },
      handler: async ({ params }) => {
        await repositories.get(params.name);
        return { status: 200, body: await repositories.status(params.name) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/repositories/{name}',
      operationId: 'deleteRepository',
      summary: 'Remove a repository and all its documents from every store',
      tags: ['repositories'],
      scope: 'admin',
      request: { params: RepositoryNameParams },
      responses: {
        200: { description: 'Removed', schema: z.object({ deleted: z.string() }) },
        404: { description: 'No such repository' },
      },
      handler: async ({ params }) => {
        await repositories.remove(params.name);
        return { status: 200, body: { deleted: params.name } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/reindex',
      operationId: 'reindex',
      summary: 'Queue a sync (or a full rebuild) of some or all repositories',
      tags: ['repositories'],
      scope: 'admin',
      request: { body: ReindexRequest },
      responses: {
        202: { description: 'Queued; poll the jobs', schema: ReindexResponse },
        404: { description: 'A named repository does not exist (nothing was queued)' },
      },
      handler: async ({ body }) => ({
        status: 202,
        body: { jobs: await repositories.reindex(body.repositories, body.full) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/jobs',
      operationId: 'listJobs',
      summary: 'The newest indexing jobs, of one repository or all',
      tags: ['repositories'],
      scope: 'search',
      request: { query: JobListQuery },
      responses: { 200: { description: 'Jobs, newest first', schema: JobList } },
      handler: async ({ query }) => ({ status: 200, body: { jobs: await repositories.jobs(query) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/jobs/{id}',
      operationId: 'getJob',
      summary: 'State, progress and outcome of an indexing job',
      tags: ['repositories'],
      scope: 'search',
      request: { params: JobIdParams },
      responses: {
        200: { description: 'The job', schema: Job },
        404: { description: 'No such job' },
      },
      handler: async ({ params }) => ({ status: 200, body: await repositories.job(params.id) }),
    }),
  ];
}
