import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Session } from '../api.js';
import { useFormAction } from '../components/use-form-action.js';

export function SignInPage({
  linkFailed,
  onSignedIn,
}: {
  linkFailed: boolean;
  onSignedIn: (session: Session) => void;
}) {
  const [key, setKey] = useState('');
  const { busy, error, onSubmit } = useFormAction(async () => onSignedIn(await api.signIn(key)));
  useEffect(() => void (document.title = 'Sign in · MyRAGDB'), []);
  const message =
    error === undefined
      ? undefined
      : error instanceof ApiError && error.status === 401
        ? 'That API key is not valid, has expired or was revoked.'
        : error instanceof Error
          ? error.message
          : 'Sign-in failed.';

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
      <form onSubmit={onSubmit}>
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
          aria-invalid={message ? true : undefined}
        />
        <p id="api-key-help" class="help">
          <code>myragdb up</code> prints an admin key (and a one-time link); others come from{' '}
          <code>myragdb apikey create</code>. The key is exchanged for a session cookie and not stored in this browser.
        </p>
        {message && (
          <p class="field-error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
