import type { FileContent } from '../api/file.schemas.js';
import type { Job, RepositoryStatus } from '../api/repository.schemas.js';
import type { SearchResponse } from '../api/search.schemas.js';

/**
 * Compact plain-text renderings for MCP tool results: an agent's context is small, so each result is one citation
 * line (`repository/path:start-end`, symbol, per-leg ranks) plus a few snippet lines, never the whole response JSON.
 */
const SNIPPET_LINES = 4;

export function formatSearchResults(query: string, response: SearchResponse): string {
  const header = `${response.results.length} result(s) for ${JSON.stringify(query)} (${response.mode}${
    response.degraded ? `, degraded: ${response.degraded.join('+')} unavailable` : ''
  })`;
  const lines = [header];
  response.results.forEach((result, index) => {
    const legs = [
      result.keyword ? `keyword #${result.keyword.rank}` : undefined,
      result.semantic ? `semantic #${result.semantic.rank}` : undefined,
    ].filter(Boolean);
    lines.push(
      `${index + 1}. ${result.repository}/${result.path}:${result.startLine}-${result.endLine}${result.symbol ? `  ${result.symbol}` : ''}  [${legs.join(', ')}]`,
    );
    const snippet = result.snippet.split('\n').slice(0, SNIPPET_LINES);
    snippet.forEach((line, offset) => lines.push(`   ${result.snippetStartLine + offset}: ${line}`));
  });
  return lines.join('\n');
}

export function formatFile(file: FileContent): string {
  const header = `${file.repository}/${file.path}:${file.startLine}-${file.endLine} (of ${file.totalLines} lines)`;
  const body = file.content.split('\n').map((line, offset) => `${file.startLine + offset}: ${line}`);
  return [header, ...body].join('\n');
}

export function formatRepositories(repositories: readonly RepositoryStatus[]): string {
  if (repositories.length === 0) return 'No repositories are registered.';
  return repositories.map(formatRepository).join('\n');
}

export function formatRepository(status: RepositoryStatus): string {
  const parts = [
    `${status.name}: ${status.status}`,
    `files=${status.files}`,
    `chunks=${status.chunks}`,
    `vectorsPending=${status.vectorsPending}`,
    `lastIndexedAt=${status.lastIndexedAt ?? 'never'}`,
  ];
  if (status.error) parts.push(`error=${JSON.stringify(status.error)}`);
  if (status.progress) parts.push(`progress=${JSON.stringify(status.progress)}`);
  return parts.join('  ');
}

export function formatJob(job: Job): string {
  const parts = [`job ${job.id}: ${job.kind} of ${job.repository} is ${job.state}`, `attempts=${job.attempts}`];
  if (job.progress !== undefined) parts.push(`progress=${JSON.stringify(job.progress)}`);
  if (job.error) parts.push(`error=${job.error.code}: ${job.error.message}`);
  if (job.finishedAt) parts.push(`finishedAt=${job.finishedAt}`);
  return parts.join('  ');
}
