import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime, useApi } from '../hooks';
import { CopyButton, ErrorNote, Field } from '../components/ui';

const SCOPES = ['leads:read', 'leads:write', 'leads:export', 'settings:write'];

interface ApiKey {
  id: number;
  name: string;
  scopes: string[];
  prefix?: string;
  last_used_at?: string | null;
  expires_at?: string | null;
  revoked_at?: string | null;
  created_at: string;
}

export function ApiKeySettings() {
  const keys = useApi<ApiKey[] | { data: ApiKey[] }>('/api-keys');
  const list = Array.isArray(keys.data) ? keys.data : (keys.data?.data ?? []);
  const [form, setForm] = useState({ name: '', scopes: ['leads:read', 'leads:write'], expires: '' });
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<{ key?: string; secret?: string; token?: string }>('/api-keys', {
        name: form.name,
        scopes: form.scopes,
        ...(form.expires ? { expires_at: new Date(`${form.expires}T23:59:59Z`).toISOString() } : {}),
      });
      setSecret(r.secret ?? r.key ?? r.token ?? '');
      setForm({ ...form, name: '' });
      keys.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <div className="stack">
      <h2>API keys</h2>
      <p className="muted">
        For integrations: send the key as <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      {secret && (
        <div className="notice" role="status">
          Copy this key now, it is shown only once: <code className="secret">{secret}</code>{' '}
          <CopyButton text={secret} label="Copy the key" />
        </div>
      )}
      <table className="grid settings-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((k) => (
            <tr key={k.id}>
              <td>
                {k.name} {k.prefix && <code>{k.prefix}…</code>}
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>{formatDateTime(k.last_used_at) || 'never'}</td>
              <td>{formatDateTime(k.expires_at) || 'never'}</td>
              <td>
                {k.revoked_at ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    className="link danger"
                    onClick={() => api.del(`/api-keys/${k.id}`).then(keys.reload, setError)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
          {list.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No keys yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form className="card form-grid" onSubmit={create} noValidate aria-label="Create an API key">
        <Field
          label="Name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={error?.fields.name}
        />
        <Field
          label="Expires on (optional)"
          type="date"
          value={form.expires}
          onChange={(e) => setForm({ ...form, expires: e.target.value })}
          error={error?.fields.expires_at}
        />
        <fieldset className="span-all">
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="check-row">
              <input
                type="checkbox"
                checked={form.scopes.includes(s)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    scopes: e.target.checked ? [...form.scopes, s] : form.scopes.filter((x) => x !== s),
                  })
                }
              />
              {s}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions span-all">
          <button type="submit" className="primary">
            Create key
          </button>
        </div>
      </form>
    </div>
  );
}
