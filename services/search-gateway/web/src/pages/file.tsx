import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type FileContent } from '../api.js';
import { CopyButton } from '../components/copy-button.js';
import { ErrorNotice } from '../components/notices.js';
import { fileReference } from '../format.js';

/** Lines fetched before the hit (and as many after): 2,000 in all, the most the API returns at once. */
const CONTEXT_LINES = 1000;

type FileState =
  | { status: 'loading' }
  | { status: 'done'; file: FileContent; lines: string[]; language: string | undefined }
  | { status: 'error'; error: unknown };

export function FilePage({ params }: { params: URLSearchParams }) {
  const repository = params.get('repo') ?? '';
  const path = params.get('path') ?? '';
  const hitStart = positiveInt(params.get('start'));
  const hitEnd = Math.max(positiveInt(params.get('end')) ?? hitStart ?? 0, hitStart ?? 0) || undefined;
  const from = params.get('from');
  const language = params.get('language') ?? undefined;
  const [state, setState] = useState<FileState>({ status: 'loading' });
  const hitLine = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    document.title = `${path || 'File'} · MyRAGDB`;
    if (!repository || !path)
      return setState({ status: 'error', error: new Error('This link names no file: it needs ?repo= and ?path=.') });
    let cancelled = false;
    setState({ status: 'loading' });
    const start = Math.max(1, (hitStart ?? 1) - CONTEXT_LINES);
    Promise.all([api.file(repository, path, start, start + 2 * CONTEXT_LINES - 1), import('../highlight.js')])
      .then(([file, { highlightLines }]) => {
        if (!cancelled)
          setState({ status: 'done', file, ...highlightLines(file.content, file.language ?? language, path) });
      })
      .catch((error: unknown) => !cancelled && setState({ status: 'error', error }));
    return () => void (cancelled = true);
  }, [params.toString()]);

  useEffect(() => {
    if (state.status === 'done') hitLine.current?.scrollIntoView({ block: 'center' });
  }, [state.status]);

  const reference = fileReference(repository, path, hitStart, hitEnd);

  return (
    <section class="page file-page">
      <nav class="crumbs" aria-label="Back">
        <a href={from && from.startsWith('/') && !from.startsWith('//') ? from : '/'}>← Back to results</a>
      </nav>
      <header class="file-header">
        <h1>
          <span class="repo">{repository}/</span>
          {path}
        </h1>
        <div class="reference">
          <code>{reference}</code>
          <CopyButton text={reference} label="Copy reference" />
        </div>
      </header>
      {state.status === 'loading' && (
        <p class="loading" role="status">
          Loading file…
        </p>
      )}
      {state.status === 'error' && <ErrorNotice error={state.error} />}
      {state.status === 'done' && (
        <>
          <p class="file-meta">
            {state.language ?? 'plain text'} · {state.file.totalLines} lines
            {state.file.startLine > 1 || state.file.endLine < state.file.totalLines
              ? ` · showing ${state.file.startLine}–${state.file.endLine}`
              : ''}
          </p>
          <pre class="code hljs" tabIndex={0} aria-label={`Contents of ${path}`}>
            <code>
              {state.lines.map((html, index) => {
                const number = state.file.startLine + index;
                const isHit = hitStart !== undefined && number >= hitStart && number <= (hitEnd ?? hitStart);
                return (
                  <span
                    key={number}
                    id={`L${number}`}
                    class={isHit ? 'line hit-line' : 'line'}
                    ref={number === hitStart ? hitLine : undefined}
                  >
                    <span class="ln" aria-hidden="true">
                      {number}
                    </span>
                    <span dangerouslySetInnerHTML={{ __html: html }} />
                    {'\n'}
                  </span>
                );
              })}
            </code>
          </pre>
        </>
      )}
    </section>
  );
}

function positiveInt(value: string | null): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : undefined;
}
