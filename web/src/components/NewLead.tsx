import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { navigate } from '../router';
import type { Lead, Status } from '../types';
import { Dialog, Field, SelectField } from './ui';

const EMPTY = {
  first_name: '',
  last_name: '',
  email: '',
  phone: '',
  company_name: '',
  source: '',
  value: '',
  status: '',
};

export function NewLeadDialog({
  open,
  onClose,
  statuses,
}: {
  open: boolean;
  onClose: () => void;
  statuses: Status[];
}) {
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const fields = error?.fields ?? {};

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    // Empty inputs are left out rather than sent as "" so the API applies its own defaults.
    const body = Object.fromEntries(
      Object.entries(form)
        .filter(([, v]) => v.trim() !== '')
        .map(([k, v]) => [k, v.trim()]),
    );
    try {
      const lead = await api.post<Lead>('/leads', body);
      setForm(EMPTY);
      onClose();
      navigate(`/leads/${lead.id}`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="New lead" open={open} onClose={onClose}>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field
          label="First name"
          value={form.first_name}
          onChange={set('first_name')}
          error={fields.first_name}
          autoFocus
        />
        <Field
          label="Last name"
          value={form.last_name}
          onChange={set('last_name')}
          error={fields.last_name}
        />
        <Field label="Email" type="email" value={form.email} onChange={set('email')} error={fields.email} />
        <Field label="Phone" type="tel" value={form.phone} onChange={set('phone')} error={fields.phone} />
        <Field
          label="Company"
          value={form.company_name}
          onChange={set('company_name')}
          error={fields.company_name}
        />
        <Field
          label="Source"
          value={form.source}
          onChange={set('source')}
          error={fields.source}
          placeholder="e.g. Website"
        />
        <Field
          label="Value"
          inputMode="decimal"
          value={form.value}
          onChange={set('value')}
          error={fields.value}
          placeholder="1500.00"
        />
        {statuses.length > 0 && (
          <SelectField label="Status" value={form.status} onChange={set('status')} error={fields.status}>
            <option value="">(default)</option>
            {statuses
              .filter((s) => s.category === 'open' || s.category === 'on_hold')
              .map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
          </SelectField>
        )}
        {error && !error.errors.length && (
          <p className="alert span-all" role="alert">
            {error.message}
          </p>
        )}
        <div className="actions span-all">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create lead
          </button>
        </div>
      </form>
    </Dialog>
  );
}
