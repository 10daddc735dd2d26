import { Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { DependencyError, UnauthorizedError, ValidationError } from '../../../core/src/errors.js';
import type { SearchResponse, SearchResult } from '../../../search-gateway/src/api/search.schemas.js';
import { type CommandIo, printJson, processIo } from './command-io.js';
import { resolveApiKey } from './mcp.command.js';

export interface SearchCommandOptions {
  mode: 'keyword' | 'semantic' | 'hybrid';
  repo: string[];
  language: string[];
  path: string[];
  limit: number;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new InvalidArgumentError('must be a whole number from 1 to 100');
  return limit;
}

/** One result as `path:start-end  symbol` plus its snippet; path and highlights coloured when `colour`. */
export function formatResult(result: SearchResult, index: number, colour: boolean): string {
  const c = pc.createColors(colour);
  const location = `${c.bold(c.cyan(`${result.repository}/${result.path}`))}${c.dim(':')}${c.yellow(`${result.startLine}-${result.endLine}`)}`;
  const legs = [
    result.keyword && `keyword #${result.keyword.rank}`,
    result.semantic && `semantic #${result.semantic.rank}`,
  ].filter(Boolean);
  const header = `${c.dim(`${index + 1}.`)} ${location}${result.symbol ? `  ${c.magenta(result.symbol)}` : ''}  ${c.dim(`[${legs.join(', ')}]`)}`;
  // Highlight ranges are offsets into the snippet text; colour them before splitting it into lines.
  let text = '';
  let cursor = 0;
  for (const range of result.highlights) {
    text += result.snippet.slice(cursor, range.start) + c.bold(c.red(result.snippet.slice(range.start, range.end)));
    cursor = range.end;
  }
  text += result.snippet.slice(cursor);
  const lines = text
    .split('\n')
    .map((line, offset) => `   ${c.dim(String(result.snippetStartLine + offset).padStart(5))}  ${line}`);
  return [header, ...lines].join('\n');
}

/** `myragdb search "QUERY"`: asks a running gateway (MYRAGDB_URL) and prints ranked `path:start-end` with snippets. */
export function searchCommand(io: CommandIo = processIo(), env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('search')
    .description('Search a running MyRAGDB gateway (MYRAGDB_URL) and print ranked path:start-end with snippets')
    .argument('<query>', 'words, a question or an identifier')
    .addOption(new Option('--mode <mode>', 'ranking').choices(['hybrid', 'keyword', 'semantic']).default('hybrid'))
    .option('--repo <name>', 'only this repository (repeatable)', collect, [])
    .option('--language <id>', 'only this language, e.g. typescript (repeatable)', collect, [])
    .option('--path <glob>', 'only paths matching this glob, e.g. "src/**" (repeatable)', collect, [])
    .option('--limit <n>', 'results (1-100)', parseLimit, 10)
    .option('--json', 'print the API response as JSON')
    .action(async (query: string, options: SearchCommandOptions) => {
      const config = loadConfig(env);
      const key = await resolveApiKey(env, config.MYRAGDB_DATA_DIR);
      const body = {
        query,
        mode: options.mode,
        limit: options.limit,
        ...(options.repo.length ? { repositories: options.repo } : {}),
        ...(options.language.length ? { languages: options.language } : {}),
        ...(options.path.length ? { pathGlobs: options.path } : {}),
      };
      const url = new URL('/api/v1/search', config.MYRAGDB_URL);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }).catch((error: unknown) => {
        throw new DependencyError(
          'search-gateway',
          `cannot reach the gateway at ${config.MYRAGDB_URL}: is it running?`,
          { cause: error },
        );
      });
      const payload = (await response.json().catch(() => undefined)) as
        (SearchResponse & { error?: { message: string } }) | undefined;
      if (!response.ok || !payload) {
        const message = payload?.error?.message ?? `HTTP ${response.status}`;
        if (response.status === 401 || response.status === 403)
          throw new UnauthorizedError(`the gateway refused the API key: ${message}`);
        if (response.status >= 500) throw new DependencyError('search-gateway', `search failed: ${message}`);
        throw new ValidationError(`search rejected: ${message}`);
      }
      if (options.json) return printJson(io, payload);
      const colour = Boolean(io.stdout.isTTY) && !env.NO_COLOR;
      const c = pc.createColors(colour);
      const notes = [`${payload.results.length} result(s)`, payload.mode, `${payload.tookMs} ms`];
      if (payload.degraded) notes.push(c.yellow(`degraded: ${payload.degraded.join('+')} unavailable`));
      io.stdout.write(`${c.dim(notes.join(' · '))}\n`);
      payload.results.forEach((result, index) => io.stdout.write(`${formatResult(result, index, colour)}\n`));
    });
}
