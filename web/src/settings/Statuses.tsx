import { Fragment, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useStatuses } from '../hooks';
import type { Status, SubStatus } from '../types';
import { ErrorNote, Field, SelectField, Spinner, useConfirm } from '../components/ui';
import { subValue } from '../components/status';
import { useApi } from '../hooks';
import { keyFromLabel, SortableRow, SortableStatuses } from './StatusOrder';

const CATEGORIES = ['open', 'on_hold', 'won', 'lost', 'converted', 'closed'];

export function StatusSettings() {
  const statuses = useStatuses();
  const [form, setForm] = useState({ key: '', label: '', category: 'open', reason_required: false });
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  // The key follows the label until the admin types one of their own.
  const [keyTouched, setKeyTouched] = useState(false);
  // The order shown while a reorder is on its way to the server.
  const [order, setOrder] = useState<string[] | null>(null);
  const confirm = useConfirm();
  if (statuses.loading && !statuses.list.length) return <Spinner />;

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/statuses', form);
      setForm({ key: '', label: '', category: 'open', reason_required: false });
      setKeyTouched(false);
      statuses.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function update(s: Status, patch: Partial<Status>) {
    setError(null);
    try {
      await api.patch(`/statuses/${encodeURIComponent(s.key)}`, patch);
      statuses.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function remove(s: Status) {
    if (!(await confirm.ask(`Delete the status ${s.label}?`))) return;
    setError(null);
    try {
      await api.del(`/statuses/${encodeURIComponent(s.key)}`);
      statuses.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function reorder(keys: string[]) {
    setError(null);
    setOrder(keys);
    try {
      await api.put('/statuses/order', { keys });
      statuses.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setOrder(null);
    }
  }
  const fields = error?.fields ?? {};
  const list = order
    ? order.map((k) => statuses.list.find((s) => s.key === k)).filter((s): s is Status => !!s)
    : statuses.list;
  return (
    <div className="stack">
      <h2>Pipeline statuses</h2>
      <ErrorNote error={error && !error.errors.length ? error : null} />
      <table className="grid settings-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Order</span>
            </th>
            <th scope="col">Label</th>
            <th scope="col">Key</th>
            <th scope="col">Category</th>
            <th scope="col">Reason required</th>
            <th scope="col">Default</th>
            <th scope="col">Leads</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <SortableStatuses
          keys={list.map((s) => s.key)}
          labelOf={(k) => list.find((s) => s.key === k)?.label ?? k}
          onReorder={(keys) => void reorder(keys)}
        >
          <tbody>
            {list.map((s) => (
              <Fragment key={s.key}>
                <SortableRow id={s.key} label={s.label}>
                  <td>
                    <input
                      aria-label={`Label of ${s.key}`}
                      defaultValue={s.label}
                      onBlur={(e) => e.target.value !== s.label && update(s, { label: e.target.value })}
                    />
                  </td>
                  <td>
                    <code>{s.key}</code>
                  </td>
                  <td>
                    <span className={`pill cat-${s.category}`}>{s.category}</span>
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Reason required for ${s.label}`}
                      checked={!!s.reason_required}
                      onChange={(e) => update(s, { reason_required: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="default-status"
                      aria-label={`${s.label} is the default status of new leads`}
                      checked={!!s.is_default}
                      onChange={() => update(s, { is_default: true })}
                    />
                  </td>
                  <td>
                    {s.lead_count ?? ''}
                    {s.sub_statuses?.length ? (
                      <span className="muted"> · {s.sub_statuses.length} sub</span>
                    ) : null}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="link"
                      aria-expanded={open === s.key}
                      aria-label={`Sub-statuses of ${s.label}`}
                      onClick={() => setOpen(open === s.key ? null : s.key)}
                    >
                      Sub-statuses
                    </button>
                    <button type="button" className="link danger" onClick={() => void remove(s)}>
                      Delete<span className="sr-only"> {s.label}</span>
                    </button>
                  </td>
                </SortableRow>
                {open === s.key && (
                  <tr>
                    <td colSpan={8}>
                      <SubStatuses status={s} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </SortableStatuses>
      </table>
      <form className="card form-grid" onSubmit={add} noValidate aria-label="Add a status">
        <Field
          label="Label"
          value={form.label}
          onChange={(e) =>
            setForm({
              ...form,
              label: e.target.value,
              ...(keyTouched ? {} : { key: keyFromLabel(e.target.value) }),
            })
          }
          error={fields.label}
        />
        <Field
          label="Key"
          value={form.key}
          onChange={(e) => {
            setKeyTouched(e.target.value !== '');
            setForm({ ...form, key: e.target.value });
          }}
          error={fields.key}
          hint="made from the label; lower case, e.g. demo_booked"
        />
        <SelectField
          label="Category"
          value={form.category}
          onChange={(e) => setForm({ ...form, category: e.target.value })}
          error={fields.category}
        >
          {CATEGORIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </SelectField>
        <label className="check-row">
          <input
            type="checkbox"
            checked={form.reason_required}
            onChange={(e) => setForm({ ...form, reason_required: e.target.checked })}
          />
          Reason required
        </label>
        <div className="actions span-all">
          <button type="submit" className="primary">
            Add status
          </button>
        </div>
      </form>
      {confirm.dialog}
    </div>
  );
}

function SubStatuses({ status }: { status: Status }) {
  const path = `/statuses/${encodeURIComponent(status.key)}/sub-statuses`;
  const subs = useApi<SubStatus[] | { data: SubStatus[] }>(path);
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const list = Array.isArray(subs.data) ? subs.data : (subs.data?.data ?? []);
  async function add(e: FormEvent) {
    e.preventDefault();
    try {
      await api.post(path, { name });
      setName('');
      subs.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <div className="stack">
      <ul className="chips">
        {list.map((s) => (
          <li key={subValue(s)}>
            {s.label ?? s.name ?? s.key}
            <button
              type="button"
              className="icon"
              aria-label={`Delete ${s.label ?? s.name}`}
              onClick={() =>
                api.del(`${path}/${encodeURIComponent(subValue(s))}`).then(subs.reload, setError)
              }
            >
              ×
            </button>
          </li>
        ))}
        {list.length === 0 && <li className="muted">None</li>}
      </ul>
      <form className="inline-form" onSubmit={add}>
        <Field
          label={`New sub-status of ${status.label}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={error?.fields.name ?? error?.fields.label ?? error?.message}
        />
        <button type="submit">Add</button>
      </form>
    </div>
  );
}
