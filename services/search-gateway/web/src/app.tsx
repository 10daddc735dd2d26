import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onSignedOut, type Session } from './api.js';
import { ErrorNotice } from './components/notices.js';
import { FilePage } from './pages/file.js';
import { HealthPage } from './pages/health.js';
import { KeysPage } from './pages/keys.js';
import { NotFoundPage } from './pages/not-found.js';
import { RepositoriesPage } from './pages/repositories.js';
import { SearchPage } from './pages/search.js';
import { SignInPage } from './pages/sign-in.js';
import { followLink, navigate, useLocation } from './router.js';
import { setTheme, storedTheme, type Theme } from './theme.js';

const NAV: Array<{ href: string; label: string; admin?: boolean; matches: (path: string) => boolean }> = [
  { href: '/', label: 'Search', matches: (path) => path === '/' || path === '/search' || path === '/file' },
  { href: '/repositories', label: 'Repositories', matches: (path) => path === '/repositories' },
  { href: '/health', label: 'Health', matches: (path) => path === '/health' },
  { href: '/keys', label: 'API keys', admin: true, matches: (path) => path === '/keys' },
];

export function App() {
  // undefined while the session is being read; null when signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>();
  const { path, params } = useLocation();

  useEffect(() => {
    api
      .session()
      .then((current) => setSession(current ?? null))
      .catch(setLoadError);
    return onSignedOut(() => setSession(null));
  }, []);

  useEffect(() => {
    if (session === null && path !== '/sign-in') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
      navigate(`/sign-in${next}`, { replace: true });
    }
    if (session && path === '/sign-in') navigate(safeNext(params.get('next')), { replace: true });
  }, [session, path]);

  if (loadError) {
    return (
      <main id="main" class="page narrow">
        <h1>MyRAGDB</h1>
        <ErrorNotice error={loadError} action={<button onClick={() => location.reload()}>Try again</button>} />
      </main>
    );
  }
  if (session === undefined)
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (session === null) {
    return (
      <main id="main" class="page narrow" onClick={followLink}>
        <SignInPage linkFailed={params.get('error') === 'link'} onSignedIn={setSession} />
      </main>
    );
  }

  const isAdmin = session.scopes.includes('admin');
  return (
    <div class="shell" onClick={followLink}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/" aria-label="MyRAGDB home">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          MyRAGDB
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.admin || isAdmin).map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.matches(path) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="session">
          <ThemeSelect />
          <span class="who" title={`Signed in with API key ${session.keyId}`}>
            {session.keyId} · {isAdmin ? 'admin' : 'search'}
          </span>
          <button
            class="secondary"
            onClick={() => {
              void api.signOut().finally(() => setSession(null));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} params={params} isAdmin={isAdmin} keyId={session.keyId} />
      </main>
    </div>
  );
}

function Page({
  path,
  params,
  isAdmin,
  keyId,
}: {
  path: string;
  params: URLSearchParams;
  isAdmin: boolean;
  keyId: string;
}) {
  switch (path) {
    case '/':
    case '/search':
      return <SearchPage params={params} />;
    case '/file':
      return <FilePage params={params} />;
    case '/repositories':
      return <RepositoriesPage isAdmin={isAdmin} />;
    case '/health':
      return <HealthPage />;
    case '/keys':
      return isAdmin ? <KeysPage currentKeyId={keyId} /> : <AdminOnly />;
    case '/sign-in':
      return <p class="loading">Signing in…</p>;
    default:
      return <NotFoundPage />;
  }
}

function AdminOnly() {
  return (
    <section class="page narrow">
      <h1>API keys</h1>
      <ErrorNotice
        error={
          new ApiError(403, 'forbidden', 'Managing API keys needs an admin key. You are signed in with a search key.')
        }
      />
    </section>
  );
}

function ThemeSelect() {
  const [theme, setThemeState] = useState<Theme>(storedTheme());
  return (
    <label class="theme">
      <span class="visually-hidden">Theme</span>
      <select
        value={theme}
        onChange={(event) => {
          const next = event.currentTarget.value as Theme;
          setTheme(next);
          setThemeState(next);
        }}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** Only an in-app path may follow sign-in: never another origin. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}
