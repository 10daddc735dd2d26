import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type RepositoryStatus, type SearchQuery, type SearchResponse, type SearchResult } from '../api.js';
import { Empty, ErrorNotice } from '../components/notices.js';
import { Snippet } from '../components/snippet.js';
import { fileHref, formatCount } from '../format.js';
import { navigate } from '../router.js';

type Mode = 'hybrid' | 'keyword' | 'semantic';
const MODES: Array<{ value: Mode; label: string; hint: string }> = [
  { value: 'hybrid', label: 'Hybrid', hint: 'Words and meaning together (best default)' },
  { value: 'keyword', label: 'Keyword', hint: 'Exact words and identifiers' },
  { value: 'semantic', label: 'Semantic', hint: 'Meaning, for questions in your own words' },
];
const LANGUAGES = [
  'typescript',
  'javascript',
  'python',
  'go',
  'rust',
  'java',
  'c',
  'cpp',
  'csharp',
  'ruby',
  'php',
  'markdown',
];

interface SearchForm {
  q: string;
  mode: Mode;
  repo: string;
  lang: string;
  path: string;
}

function formFromParams(params: URLSearchParams): SearchForm {
  const mode = params.get('mode');
  return {
    q: params.get('q') ?? '',
    mode: mode === 'keyword' || mode === 'semantic' ? mode : 'hybrid',
    repo: params.get('repo') ?? '',
    lang: params.get('lang') ?? '',
    path: params.get('path') ?? '',
  };
}

function searchUrl(form: SearchForm): string {
  const params = new URLSearchParams({ q: form.q.trim() });
  if (form.mode !== 'hybrid') params.set('mode', form.mode);
  if (form.repo) params.set('repo', form.repo);
  if (form.lang.trim()) params.set('lang', form.lang.trim());
  if (form.path.trim()) params.set('path', form.path.trim());
  return `/search?${params.toString()}`;
}

function searchQuery(form: SearchForm): SearchQuery {
  const languages = form.lang
    .split(',')
    .map((language) => language.trim().toLowerCase())
    .filter(Boolean);
  return {
    query: form.q,
    mode: form.mode,
    limit: 50,
    ...(form.repo ? { repositories: [form.repo] } : {}),
    ...(languages.length ? { languages } : {}),
    ...(form.path.trim() ? { pathGlobs: [form.path.trim()] } : {}),
  };
}

interface FileGroup {
  repository: string;
  path: string;
  language: string;
  hits: SearchResult[];
}

/** Results grouped by file, files in the order of their best hit. */
export function groupByFile(results: readonly SearchResult[]): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const result of results) {
    const key = `${result.repository}\u0000${result.path}`;
    let group = groups.get(key);
    if (!group)
      groups.set(
        key,
        (group = { repository: result.repository, path: result.path, language: result.language, hits: [] }),
      );
    group.hits.push(result);
  }
  return [...groups.values()];
}

type SearchState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; response: SearchResponse }
  | { status: 'error'; error: unknown };

export function SearchPage({ params }: { params: URLSearchParams }) {
  const current = formFromParams(params);
  const key = params.toString();
  const [form, setForm] = useState<SearchForm>(current);
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const [repositories, setRepositories] = useState<RepositoryStatus[]>([]);
  const [attempt, setAttempt] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setForm(current);
    document.title = current.q ? `${current.q} · MyRAGDB` : 'Search · MyRAGDB';
    if (!current.q.trim()) return setState({ status: 'idle' });
    let cancelled = false;
    setState({ status: 'loading' });
    api
      .search(searchQuery(current))
      .then((response) => !cancelled && setState({ status: 'done', response }))
      .catch((error: unknown) => !cancelled && setState({ status: 'error', error }));
    return () => void (cancelled = true);
  }, [key, attempt]);

  useEffect(() => {
    api
      .repositories()
      .then((list) => setRepositories(list.repositories))
      .catch(() => setRepositories([]));
    if (!current.q) input.current?.focus();
    // `/` focuses the search box from anywhere on the page, unless the user is typing in a field.
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target.closest('input, textarea, select, [contenteditable]')) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const submit = (event: Event) => {
    event.preventDefault();
    if (form.q.trim()) navigate(searchUrl(form));
  };
  const changeMode = (mode: Mode) => {
    setForm({ ...form, mode });
    if (form.q.trim()) navigate(searchUrl({ ...form, mode }));
  };

  return (
    <section class="page search-page">
      <h1 class="visually-hidden">Search</h1>
      <form role="search" class="search-form" onSubmit={submit}>
        <div class="search-box">
          <label for="q" class="visually-hidden">
            Search code and documentation
          </label>
          <input
            id="q"
            ref={input}
            type="search"
            placeholder="Ask a question or name an identifier  ( / to focus )"
            value={form.q}
            autocomplete="off"
            spellcheck={false}
            onInput={(event) => setForm({ ...form, q: event.currentTarget.value })}
            onKeyDown={(event) => {
              if (event.key === 'ArrowDown') {
                event.preventDefault();
                document.querySelector<HTMLAnchorElement>('.results a.hit')?.focus();
              }
            }}
          />
          <button type="submit">Search</button>
        </div>
        <div class="filters">
          <fieldset class="modes">
            <legend class="visually-hidden">Mode</legend>
            {MODES.map((mode) => (
              <label key={mode.value} title={mode.hint} class={form.mode === mode.value ? 'selected' : ''}>
                <input
                  type="radio"
                  name="mode"
                  value={mode.value}
                  checked={form.mode === mode.value}
                  onChange={() => changeMode(mode.value)}
                />
                {mode.label}
              </label>
            ))}
          </fieldset>
          <label>
            Repository
            <select value={form.repo} onChange={(event) => setForm({ ...form, repo: event.currentTarget.value })}>
              <option value="">All repositories</option>
              {repositories.map((repository) => (
                <option key={repository.name} value={repository.name}>
                  {repository.name}
                </option>
              ))}
              {form.repo && !repositories.some((repository) => repository.name === form.repo) && (
                <option value={form.repo}>{form.repo}</option>
              )}
            </select>
          </label>
          <label>
            Language
            <input
              list="languages"
              value={form.lang}
              placeholder="any"
              size={12}
              onInput={(event) => setForm({ ...form, lang: event.currentTarget.value })}
            />
            <datalist id="languages">
              {LANGUAGES.map((language) => (
                <option key={language} value={language} />
              ))}
            </datalist>
          </label>
          <label>
            Path
            <input
              value={form.path}
              placeholder="e.g. src/**/*.ts"
              size={16}
              onInput={(event) => setForm({ ...form, path: event.currentTarget.value })}
            />
          </label>
        </div>
      </form>
      <Results
        state={state}
        query={current}
        onRetry={() => setAttempt(attempt + 1)}
        hasRepositories={repositories.length > 0}
      />
    </section>
  );
}

function Results({
  state,
  query,
  onRetry,
  hasRepositories,
}: {
  state: SearchState;
  query: SearchForm;
  onRetry: () => void;
  hasRepositories: boolean;
}) {
  if (state.status === 'idle') {
    return (
      <Empty title="Search your repositories">
        <p>
          Ask in your own words (<em>where do we retry HTTP calls?</em>) or name an identifier (<code>parseQuery</code>
          ). Press <kbd>/</kbd> to focus the box, <kbd>↓</kbd> and <kbd>↑</kbd> to move through results,{' '}
          <kbd>Enter</kbd> to open one.
        </p>
        {!hasRepositories && (
          <p>
            Nothing is indexed yet: <a href="/repositories">add a repository</a>.
          </p>
        )}
      </Empty>
    );
  }
  if (state.status === 'loading')
    return (
      <p class="loading" role="status">
        Searching…
      </p>
    );
  if (state.status === 'error') {
    return <ErrorNotice error={state.error} action={<button onClick={onRetry}>Try again</button>} />;
  }
  const { response } = state;
  const groups = groupByFile(response.results);
  const from = location.pathname + location.search;
  const filtered = query.repo || query.lang || query.path;
  return (
    <div class="results" onKeyDown={moveBetweenHits}>
      {response.degraded?.length ? (
        <div class="notice warn degraded" role="alert">
          <strong>Degraded results.</strong> {response.degraded.map((leg) => `The ${leg} index`).join(' and ')} did not
          answer, so these results come from {response.degraded.includes('keyword') ? 'semantic' : 'keyword'} search
          only. See <a href="/health">Health</a>.
        </div>
      ) : null}
      <p class="summary" role="status">
        {formatCount(response.results.length)} results in {formatCount(groups.length)} files ·{' '}
        {Math.round(response.tookMs)} ms · {response.mode}
        {response.cached ? ' · cached' : ''}
      </p>
      {groups.length === 0 ? (
        <Empty title={`No results for “${query.q}”`}>
          <ul>
            {filtered && <li>Remove the repository, language or path filter.</li>}
            {query.mode !== 'keyword' && <li>For an exact identifier, try Keyword mode.</li>}
            {query.mode === 'keyword' && <li>For a question in your own words, try Hybrid or Semantic mode.</li>}
            <li>
              Check that the code you expect is indexed on the <a href="/repositories">Repositories</a> page.
            </li>
          </ul>
        </Empty>
      ) : (
        <ol class="file-groups">
          {groups.map((group) => (
            <li class="file-group" key={`${group.repository}/${group.path}`}>
              <h2>
                <a
                  href={fileHref({
                    repository: group.repository,
                    path: group.path,
                    start: group.hits[0]!.startLine,
                    end: group.hits[0]!.endLine,
                    language: group.language,
                    from,
                  })}
                >
                  <span class="repo">{group.repository}/</span>
                  {group.path}
                </a>
                <span class="lang">{group.language}</span>
              </h2>
              <ol class="hits">
                {group.hits.map((hit) => (
                  <li key={`${hit.startLine}-${hit.endLine}`}>
                    <a
                      class="hit"
                      href={fileHref({
                        repository: hit.repository,
                        path: hit.path,
                        start: hit.startLine,
                        end: hit.endLine,
                        language: hit.language,
                        from,
                      })}
                    >
                      <span class="hit-meta">
                        <span class="lines">
                          lines {hit.startLine}–{hit.endLine}
                        </span>
                        {hit.symbol && <code class="symbol">{hit.symbol}</code>}
                        <WhyRanked hit={hit} />
                      </span>
                      <Snippet result={hit} />
                    </a>
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** Why the result is here: each leg's rank, and whether it defines the identifier the query names. */
function WhyRanked({ hit }: { hit: SearchResult }) {
  return (
    <span class="why" title={`score ${hit.score.toPrecision(3)}`}>
      {hit.symbolMatch && <span class="badge strong">defines the symbol</span>}
      {hit.keyword && <span class="badge">keyword #{hit.keyword.rank}</span>}
      {hit.semantic && <span class="badge">semantic #{hit.semantic.rank}</span>}
    </span>
  );
}

/** ↓ and ↑ move between results; ↑ from the first goes back to the search box. */
function moveBetweenHits(event: KeyboardEvent): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const hits = [...document.querySelectorAll<HTMLAnchorElement>('.results a.hit')];
  const index = hits.indexOf(document.activeElement as HTMLAnchorElement);
  if (index === -1) return;
  event.preventDefault();
  const next =
    event.key === 'ArrowDown' ? hits[index + 1] : (hits[index - 1] ?? document.querySelector<HTMLInputElement>('#q'));
  next?.focus();
}
