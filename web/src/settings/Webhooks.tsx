import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime, useApi } from '../hooks';
import { CopyButton, ErrorNote, Field } from '../components/ui';

interface Endpoint {
  id: number;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  secret_hint: string;
  secret?: string;
}
interface Delivery {
  id: number;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  created_at: string;
  next_attempt_at: string | null;
}

function DeliveryLog({ endpoint, onError }: { endpoint: Endpoint; onError: (e: ApiError) => void }) {
  const log = useApi<{ data: Delivery[] }>(`/webhooks/${endpoint.id}/deliveries?limit=20`);
  const rows = log.data?.data ?? [];
  const redeliver = (path: string) => api.post(path).then(log.reload, onError);
  return (
    <div className="stack">
      <table className="grid settings-table" aria-label={`Deliveries to ${endpoint.url}`}>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Answer</th>
            <th scope="col">Time</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id}>
              <td>
                {d.event_type} <code>{d.event_id}</code>
                <div className="muted">{formatDateTime(d.created_at)}</div>
              </td>
              <td>
                {d.status}
                {d.next_attempt_at && (
                  <div className="muted">next try {formatDateTime(d.next_attempt_at)}</div>
                )}
              </td>
              <td>{d.attempts}</td>
              <td>{d.response_status ?? d.last_error ?? '—'}</td>
              <td>{d.duration_ms !== null ? `${d.duration_ms} ms` : '—'}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => void redeliver(`/webhooks/${endpoint.id}/deliveries/${d.id}/redeliver`)}
                >
                  Redeliver<span className="sr-only"> {d.event_id}</span>
                </button>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                Nothing sent yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" onClick={() => void redeliver(`/webhooks/${endpoint.id}/redeliver-failed`)}>
          Redeliver all failed
        </button>
      </div>
    </div>
  );
}

/** Settings > Webhooks: endpoints, their signing secret (shown once), the delivery log and redelivery. */
export function WebhookSettings() {
  const hooks = useApi<{ data: Endpoint[] }>('/webhooks');
  const types = useApi<{ data: string[] }>('/webhook-event-types');
  const settings = useApi<{ allow_private_networks: boolean }>('/webhook-settings');
  const list = hooks.data?.data ?? [];
  const [form, setForm] = useState({ url: '', description: '', events: [] as string[] });
  const [secret, setSecret] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [allowPrivate, setAllowPrivate] = useState<boolean | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<Endpoint>('/webhooks', {
        url: form.url,
        description: form.description || null,
        events: form.events,
      });
      setSecret(r.secret ?? '');
      setForm({ url: '', description: '', events: [] });
      hooks.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }

  return (
    <div className="stack">
      <h2>Webhooks</h2>
      <p className="muted">
        Leadflow POSTs each event as JSON, signed in the <code>Leadflow-Signature</code> header (HMAC-SHA256
        of the timestamp and the body), and retries failures with backoff for 24 hours.
      </p>
      {secret && (
        <div className="notice" role="status">
          Copy the signing secret now, it is shown only once: <code className="secret">{secret}</code>{' '}
          <CopyButton text={secret} label="Copy the secret" />
        </div>
      )}
      <table className="grid settings-table" aria-label="Webhook endpoints">
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((h) => (
            <tr key={h.id}>
              <td>
                <code>{h.url}</code>
                {h.description && <div className="muted">{h.description}</div>}
              </td>
              <td>{h.events.length ? h.events.join(', ') : 'all events'}</td>
              <td>
                {h.enabled ? 'active' : 'disabled'}
                {h.disabled_reason && <div className="muted">{h.disabled_reason}</div>}
                {h.consecutive_failures > 0 && (
                  <div className="muted">{h.consecutive_failures} failures in a row</div>
                )}
              </td>
              <td>
                <button type="button" className="link" onClick={() => setOpen(open === h.id ? null : h.id)}>
                  {open === h.id ? 'Hide deliveries' : 'Deliveries'}
                  <span className="sr-only"> of {h.url}</span>
                </button>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    api.patch(`/webhooks/${h.id}`, { enabled: !h.enabled }).then(hooks.reload, setError)
                  }
                >
                  {h.enabled ? 'Disable' : 'Enable'}
                  <span className="sr-only"> {h.url}</span>
                </button>{' '}
                <button
                  type="button"
                  className="link danger"
                  onClick={() => api.del(`/webhooks/${h.id}`).then(hooks.reload, setError)}
                >
                  Delete<span className="sr-only"> {h.url}</span>
                </button>
              </td>
            </tr>
          ))}
          {list.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No webhooks yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {list
        .filter((h) => h.id === open)
        .map((h) => (
          <DeliveryLog key={h.id} endpoint={h} onError={setError} />
        ))}
      <form className="card form-grid" onSubmit={add} noValidate aria-label="Add a webhook">
        <Field
          label="Endpoint URL"
          type="url"
          value={form.url}
          onChange={(e) => setForm({ ...form, url: e.target.value })}
          error={error?.fields.url}
        />
        <Field
          label="Description (optional)"
          value={form.description}
          onChange={(e) => setForm({ ...form, description: e.target.value })}
        />
        <fieldset className="span-all">
          <legend>Events (none checked: every event)</legend>
          {(types.data?.data ?? []).map((t) => (
            <label key={t} className="check-row">
              <input
                type="checkbox"
                checked={form.events.includes(t)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    events: e.target.checked ? [...form.events, t] : form.events.filter((x) => x !== t),
                  })
                }
              />
              {t}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions span-all">
          <button type="submit" className="primary">
            Add webhook
          </button>
        </div>
      </form>
      <label className="check-row">
        <input
          type="checkbox"
          checked={allowPrivate ?? settings.data?.allow_private_networks ?? false}
          onChange={(e) => {
            setAllowPrivate(e.target.checked);
            api
              .put('/webhook-settings', { allow_private_networks: e.target.checked })
              .then(settings.reload, (err: ApiError) => {
                setAllowPrivate(null);
                setError(err);
              });
          }}
        />
        Allow endpoints on private networks (loopback, 10.x, 192.168.x…): only if you trust every admin
      </label>
    </div>
  );
}
