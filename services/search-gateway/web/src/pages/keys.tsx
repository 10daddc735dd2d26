import { useEffect, useState } from 'preact/hooks';
import { api, type ApiKey, type CreatedApiKey } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { CopyButton } from '../components/copy-button.js';
import { useFormAction } from '../components/use-form-action.js';
import { ErrorNotice } from '../components/notices.js';
import { formatDateTime, formatRelative } from '../format.js';

export function KeysPage({ currentKeyId }: { currentKeyId: string }) {
  const [keys, setKeys] = useState<ApiKey[]>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [refresh, setRefresh] = useState(0);

  useEffect(() => void (document.title = 'API keys · MyRAGDB'), []);
  useEffect(() => {
    api.keys().then(
      (list) => (setKeys(list.keys), setError(undefined)),
      (thrown: unknown) => setError(thrown),
    );
  }, [refresh]);

  const revoke = async (key: ApiKey) => {
    setRevoking(undefined);
    try {
      await api.revokeKey(key.id);
    } catch (thrown) {
      setError(thrown);
    }
    setRefresh((value) => value + 1);
  };

  return (
    <section class="page">
      <h1>API keys</h1>
      <CreateKey
        onCreated={(key) => {
          setCreated(key);
          setRefresh((value) => value + 1);
        }}
      />
      {created && (
        <div class="notice success created-key" role="status">
          <strong>Key “{created.name}” created. Copy it now: it is not shown again.</strong>
          <div class="reference">
            <code data-testid="created-key">{created.key}</code>
            <CopyButton text={created.key} label="Copy key" />
          </div>
          <button class="secondary" onClick={() => setCreated(undefined)}>
            I have stored it
          </button>
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      {keys && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Scopes</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} data-key={key.id}>
                  <th scope="row">{key.name}</th>
                  <td>
                    <code>{key.id}</code>
                    {key.id === currentKeyId && <span class="muted"> (this session)</span>}
                  </td>
                  <td>{key.scopes.join(', ')}</td>
                  <td>
                    <span class={`status status-${key.state}`}>{key.state}</span>
                  </td>
                  <td title={formatDateTime(key.createdAt)}>{formatRelative(key.createdAt)}</td>
                  <td title={formatDateTime(key.lastUsedAt)}>{formatRelative(key.lastUsedAt)}</td>
                  <td>{key.expiresAt ? formatDateTime(key.expiresAt) : 'never'}</td>
                  <td>
                    {key.state === 'active' && (
                      <button class="danger" onClick={() => setRevoking(key)}>
                        Revoke<span class="visually-hidden"> {key.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          onCancel={() => setRevoking(undefined)}
          onConfirm={() => void revoke(revoking)}
        >
          <p>
            Every client using it, and every browser signed in with it, loses access at once. This cannot be undone.
            {revoking.id === currentKeyId && <strong> You are signed in with this key: you will be signed out.</strong>}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [expires, setExpires] = useState('');
  const { busy, error, onSubmit } = useFormAction(async () => {
    onCreated(
      await api.createKey({
        name: name.trim(),
        scopes: admin ? ['admin'] : ['search'],
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      }),
    );
    setName('');
    setAdmin(false);
    setExpires('');
  });
  return (
    <form class="card" onSubmit={onSubmit}>
      <h2>Create a key</h2>
      <div class="fields">
        <label>
          Name
          <input
            required
            maxLength={200}
            value={name}
            placeholder="e.g. ci-agent"
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <label>
          Expires on (optional)
          <input type="date" value={expires} onInput={(event) => setExpires(event.currentTarget.value)} />
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={admin} onChange={(event) => setAdmin(event.currentTarget.checked)} />
          Admin (manage repositories and keys); otherwise search only
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}
