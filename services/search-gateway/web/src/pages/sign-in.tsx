import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Session } from '../api.js';

export function SignInPage({
  linkFailed,
  onSignedIn,
}: {
  linkFailed: boolean;
  onSignedIn: (session: Session) => void;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => void (document.title = 'Sign in · MyRAGDB'), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.signIn(key));
    } catch (thrown) {
      setError(
        thrown instanceof ApiError && thrown.status === 401
          ? 'That API key is not valid, has expired or was revoked.'
          : thrown instanceof Error
            ? thrown.message
            : String(thrown),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in">
      <h1>
        <img src="/favicon.svg" alt="" width="32" height="32" /> Sign in to MyRAGDB
      </h1>
      {linkFailed && (
        <div class="notice warn" role="alert">
          <strong>That sign-in link did not work.</strong>
          <p>
            It was invalid, expired or already used: each link signs in once, within 15 minutes. Sign in with an API key
            below, or restart <code>myragdb up</code> for a new link.
          </p>
        </div>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
          aria-describedby="api-key-help"
          aria-invalid={error ? true : undefined}
        />
        <p id="api-key-help" class="help">
          <code>myragdb up</code> prints an admin key (and a one-time link); others come from{' '}
          <code>myragdb apikey create</code>. The key is exchanged for a session cookie and not stored in this browser.
        </p>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
