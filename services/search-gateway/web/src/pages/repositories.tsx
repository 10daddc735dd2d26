import { useEffect, useState } from 'preact/hooks';
import { api, type RepositoryStatus } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Empty, ErrorNotice } from '../components/notices.js';
import { useFormAction } from '../components/use-form-action.js';
import { formatCount, formatDateTime, formatRelative } from '../format.js';

/** Poll fast while something is indexing, slowly otherwise (the list also reflects other users' changes). */
const BUSY_POLL_MS = 1500;
const IDLE_POLL_MS = 10_000;

export function RepositoriesPage({ isAdmin }: { isAdmin: boolean }) {
  const [repositories, setRepositories] = useState<RepositoryStatus[]>();
  const [error, setError] = useState<unknown>();
  const [actionError, setActionError] = useState<unknown>();
  const [deleting, setDeleting] = useState<string>();
  const [refresh, setRefresh] = useState(0);

  useEffect(() => void (document.title = 'Repositories · MyRAGDB'), []);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      let busy = false;
      try {
        const list = (await api.repositories()).repositories;
        if (stopped) return;
        setRepositories(list);
        setError(undefined);
        busy = list.some((repository) => repository.status === 'indexing' || repository.status === 'pending');
      } catch (thrown) {
        if (!stopped) setError(thrown);
      }
      if (!stopped) timer = setTimeout(() => void load(), busy ? BUSY_POLL_MS : IDLE_POLL_MS);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [refresh]);

  const act = async (work: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await work();
    } catch (thrown) {
      setActionError(thrown);
    }
    setRefresh((value) => value + 1);
  };

  return (
    <section class="page">
      <h1>Repositories</h1>
      {isAdmin && <AddRepository onAdded={() => setRefresh((value) => value + 1)} />}
      {actionError !== undefined && <ErrorNotice error={actionError} />}
      {error !== undefined && <ErrorNotice error={error} />}
      {repositories === undefined && error === undefined && (
        <p class="loading" role="status">
          Loading…
        </p>
      )}
      {repositories?.length === 0 && (
        <Empty title="No repositories yet">
          <p>{isAdmin ? 'Add a local folder or a git URL above.' : 'Ask an admin to add one.'}</p>
        </Empty>
      )}
      {repositories && repositories.length > 0 && (
        <div class="table-wrap">
          <table class="repositories">
            <caption class="visually-hidden">Indexed repositories and their state</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Files
                </th>
                <th scope="col" class="num">
                  Chunks
                </th>
                <th scope="col" class="num">
                  Vectors pending
                </th>
                <th scope="col" class="num">
                  Skipped
                </th>
                <th scope="col">Last sync</th>
                {isAdmin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {repositories.map((repository) => (
                <tr key={repository.name} data-repository={repository.name}>
                  <th scope="row">{repository.name}</th>
                  <td>
                    <StatusBadge repository={repository} />
                    {repository.error && <p class="row-error">{repository.error}</p>}
                  </td>
                  <td class="num">{formatCount(repository.files)}</td>
                  <td class="num">{formatCount(repository.chunks)}</td>
                  <td class="num">{formatCount(repository.vectorsPending)}</td>
                  <td class="num">
                    <SkippedFiles repository={repository} />
                  </td>
                  <td>
                    <time
                      dateTime={repository.lastIndexedAt ?? undefined}
                      title={formatDateTime(repository.lastIndexedAt)}
                    >
                      {formatRelative(repository.lastIndexedAt)}
                    </time>
                  </td>
                  {isAdmin && (
                    <td>
                      <div class="row-actions">
                        <button class="secondary" onClick={() => void act(() => api.reindex([repository.name], false))}>
                          Sync<span class="visually-hidden"> {repository.name}</span>
                        </button>
                        <button class="secondary" onClick={() => void act(() => api.reindex([repository.name], true))}>
                          Rebuild<span class="visually-hidden"> {repository.name}</span>
                        </button>
                        <button class="danger" onClick={() => setDeleting(repository.name)}>
                          Delete<span class="visually-hidden"> {repository.name}</span>
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          confirmLabel="Delete repository"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => {
            const name = deleting;
            setDeleting(undefined);
            void act(() => api.deleteRepository(name));
          }}
        >
          <p>
            Its index (keyword documents, vectors, catalog rows) is removed and its jobs are cancelled. The files
            themselves are not touched; adding it again reindexes them.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function StatusBadge({ repository }: { repository: RepositoryStatus }) {
  const progress = repository.progress as { phase?: string; filesDone?: number; filesTotal?: number } | undefined;
  return (
    <span class={`status status-${repository.status}`}>
      {repository.status}
      {repository.status === 'indexing' && progress && (
        <span class="progress">
          {' '}
          {progress.phase ?? ''} {progress.filesDone ?? 0}/{progress.filesTotal ?? '?'} files
          {progress.filesTotal ? (
            <progress
              max={progress.filesTotal}
              value={progress.filesDone ?? 0}
              aria-label={`${repository.name} indexing progress`}
            />
          ) : null}
        </span>
      )}
    </span>
  );
}

function SkippedFiles({ repository }: { repository: RepositoryStatus }) {
  const reasons = Object.entries(repository.skippedByReason);
  if (repository.skippedFiles === 0) return <>0</>;
  return (
    <details class="skipped">
      <summary>{formatCount(repository.skippedFiles)}</summary>
      <ul>
        {reasons.map(([reason, count]) => (
          <li key={reason}>
            {reason}: {formatCount(count)}
          </li>
        ))}
      </ul>
    </details>
  );
}

function suggestedName(location: string): string {
  const last = location.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  return last
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
}

function AddRepository({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<'local' | 'git'>('local');
  const [location, setLocation] = useState('');
  const [name, setName] = useState('');
  const [ref, setRef] = useState('');
  const { busy, error, onSubmit } = useFormAction(async () => {
    const source =
      kind === 'local'
        ? { type: 'local' as const, path: location.trim() }
        : { type: 'git' as const, url: location.trim(), ...(ref.trim() ? { ref: ref.trim() } : {}) };
    await api.addRepository({ name: name.trim() || suggestedName(location), source });
    setLocation('');
    setName('');
    setRef('');
    onAdded();
  });

  return (
    <form class="add-repository card" onSubmit={onSubmit}>
      <h2>Add a repository</h2>
      <fieldset class="modes">
        <legend class="visually-hidden">Source</legend>
        <label class={kind === 'local' ? 'selected' : ''}>
          <input type="radio" name="kind" checked={kind === 'local'} onChange={() => setKind('local')} />
          Local folder
        </label>
        <label class={kind === 'git' ? 'selected' : ''}>
          <input type="radio" name="kind" checked={kind === 'git'} onChange={() => setKind('git')} />
          Git URL
        </label>
      </fieldset>
      <div class="fields">
        <label>
          {kind === 'local' ? 'Folder (absolute path on the server)' : 'Git URL'}
          <input
            required
            value={location}
            placeholder={kind === 'local' ? '/home/me/code/project' : 'https://github.com/org/repo.git'}
            onInput={(event) => setLocation(event.currentTarget.value)}
          />
        </label>
        {kind === 'git' && (
          <label>
            Branch or tag
            <input value={ref} placeholder="default branch" onInput={(event) => setRef(event.currentTarget.value)} />
          </label>
        )}
        <label>
          Name
          <input
            value={name}
            placeholder={suggestedName(location) || 'derived from the location'}
            pattern="[a-z0-9][a-z0-9._\-]{0,62}"
            title="lower-case letters, digits, '.', '_' and '-'"
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add and index'}
        </button>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}
