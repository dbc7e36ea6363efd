import { useState, type FormEvent } from 'react';
import { api, ApiError, qs } from '../api';
import { formatDateTime, useApi, useStatuses, useUsers } from '../hooks';
import { CopyButton, ErrorNote, Field, SelectField } from '../components/ui';

interface WebKey {
  id: number;
  name: string;
  key: string;
  allowed_origins: string[] | null;
  default_source: string | null;
  default_status: string | null;
  default_owner_id?: number | null;
  default_team_id?: number | null;
  default_tags?: string[];
  success_url?: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const PATH = '/web-to-lead-keys';

export function WebToLeadSettings() {
  const keys = useApi<WebKey[] | { data: WebKey[] }>(PATH);
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useApi<{ data: Array<{ id: number; name: string }> }>('/teams');
  const list = Array.isArray(keys.data) ? keys.data : (keys.data?.data ?? []);
  const [form, setForm] = useState({
    name: '',
    origins: '',
    default_source: 'Website',
    default_status: '',
    success_url: '',
    default_owner_id: '',
    default_team_id: '',
    default_tags: '',
  });
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
        ...(form.success_url.trim() ? { success_url: form.success_url.trim() } : {}),
        ...(form.default_owner_id ? { default_owner_id: Number(form.default_owner_id) } : {}),
        ...(form.default_team_id ? { default_team_id: Number(form.default_team_id) } : {}),
        default_tags: form.default_tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      });
      setForm({ ...form, name: '', origins: '', success_url: '', default_tags: '' });
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
              <div className="muted">
                After sending: {k.success_url ? <code>{k.success_url}</code> : 'the hosted thank-you page'}
                {k.default_owner_id
                  ? ` · owner ${users.list.find((u) => u.id === k.default_owner_id)?.name ?? `#${k.default_owner_id}`}`
                  : ''}
                {k.default_team_id
                  ? ` · team ${teams.data?.data.find((t) => t.id === k.default_team_id)?.name ?? `#${k.default_team_id}`}`
                  : ''}
                {k.default_tags?.length ? ` · tags ${k.default_tags.join(', ')}` : ''}
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
        <Field
          label="Success URL"
          type="url"
          value={form.success_url}
          onChange={(e) => setForm({ ...form, success_url: e.target.value })}
          error={fields.success_url}
          placeholder="https://www.example.com/thanks"
          hint="Where visitors land after sending; empty: a hosted thank-you page"
        />
        <SelectField
          label="Default owner"
          value={form.default_owner_id}
          onChange={(e) => setForm({ ...form, default_owner_id: e.target.value })}
          error={fields.default_owner_id}
        >
          <option value="">Nobody</option>
          {users.list.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Default team"
          value={form.default_team_id}
          onChange={(e) => setForm({ ...form, default_team_id: e.target.value })}
          error={fields.default_team_id}
        >
          <option value="">None</option>
          {(teams.data?.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <Field
          label="Tags"
          value={form.default_tags}
          onChange={(e) => setForm({ ...form, default_tags: e.target.value })}
          error={Object.entries(fields).find(([k]) => k.startsWith('default_tags'))?.[1]}
          placeholder="web, inbound"
          hint="Comma separated, added to every lead from this form"
        />
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
