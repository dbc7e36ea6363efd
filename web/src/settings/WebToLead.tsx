import { useState, type FormEvent } from 'react';
import { api, ApiError, qs } from '../api';
import { formatDateTime, useApi, useStatuses } from '../hooks';
import { CopyButton, ErrorNote, Field, SelectField } from '../components/ui';

interface WebKey {
  id: number;
  name: string;
  key: string;
  allowed_origins: string[] | null;
  default_source: string | null;
  default_status: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const PATH = '/web-to-lead-keys';

export function WebToLeadSettings() {
  const keys = useApi<WebKey[] | { data: WebKey[] }>(PATH);
  const statuses = useStatuses();
  const list = Array.isArray(keys.data) ? keys.data : (keys.data?.data ?? []);
  const [form, setForm] = useState({ name: '', origins: '', default_source: 'Website', default_status: '' });
  const [snippet, setSnippet] = useState<{ id: number; html: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const origins = form.origins
        .split(/[\s,]+/)
        .map((o) => o.trim())
        .filter(Boolean);
      await api.post(PATH, {
        name: form.name,
        allowed_origins: origins,
        ...(form.default_source ? { default_source: form.default_source } : {}),
        ...(form.default_status ? { default_status: form.default_status } : {}),
      });
      setForm({ ...form, name: '', origins: '' });
      keys.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function showSnippet(k: WebKey) {
    try {
      const html = await api.get<string>(`/web-to-lead/form.html${qs({ key: k.key })}`);
      setSnippet({ id: k.id, html: typeof html === 'string' ? html : JSON.stringify(html) });
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const fields = error?.fields ?? {};
  return (
    <div className="stack">
      <h2>Web-to-lead</h2>
      <p className="muted">A public key lets a form on your website create leads, and nothing else.</p>
      <ul className="plain list-rows">
        {list.map((k) => (
          <li key={k.id} className="w2l">
            <div>
              <strong>{k.name}</strong> <code>{k.key}</code>
              <div className="muted">
                {k.allowed_origins?.length ? `Allowed: ${k.allowed_origins.join(', ')}` : 'Any origin'} · last
                used {formatDateTime(k.last_used_at) || 'never'}
                {k.revoked_at ? ' · revoked' : ''}
              </div>
            </div>
            <button type="button" onClick={() => void showSnippet(k)}>
              Form snippet
            </button>
            {!k.revoked_at && (
              <button
                type="button"
                className="link danger"
                onClick={() => api.del(`${PATH}/${k.id}`).then(keys.reload, setError)}
              >
                Revoke
              </button>
            )}
            {snippet?.id === k.id && (
              <div className="snippet">
                <label htmlFor={`snip-${k.id}`}>Paste this into your site:</label>
                <textarea
                  id={`snip-${k.id}`}
                  readOnly
                  rows={10}
                  value={snippet.html}
                  onFocus={(e) => e.target.select()}
                />
                <CopyButton text={snippet.html} label="Copy the snippet" />
              </div>
            )}
          </li>
        ))}
        {list.length === 0 && <li className="muted">No keys yet.</li>}
      </ul>
      <form className="card form-grid" onSubmit={create} noValidate aria-label="Create a web-to-lead key">
        <Field
          label="Name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={fields.name}
          placeholder="Contact form"
        />
        <Field
          label="Allowed origins"
          value={form.origins}
          onChange={(e) => setForm({ ...form, origins: e.target.value })}
          error={Object.entries(fields).find(([k]) => k.startsWith('allowed_origins'))?.[1]}
          placeholder="https://www.example.com"
        />
        <Field
          label="Default source"
          value={form.default_source}
          onChange={(e) => setForm({ ...form, default_source: e.target.value })}
          error={fields.default_source}
        />
        <SelectField
          label="Default status"
          value={form.default_status}
          onChange={(e) => setForm({ ...form, default_status: e.target.value })}
          error={fields.default_status}
        >
          <option value="">(organization default)</option>
          {statuses.list.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </SelectField>
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
