import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useCustomFields } from '../hooks';
import { ErrorNote, Field, SelectField } from '../components/ui';

const EMPTY = { key: '', label: '', type: 'string', options: '', required: false };

export function CustomFieldSettings() {
  const cfs = useCustomFields();
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const options = form.options
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      await api.post('/custom-fields', {
        key: form.key,
        label: form.label,
        type: form.type,
        required: form.required,
        ...(form.type === 'enum' ? { options } : {}),
      });
      setForm(EMPTY);
      cfs.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const fields = error?.fields ?? {};
  return (
    <div className="stack">
      <h2>Custom fields</h2>
      <table className="grid settings-table">
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Key</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {cfs.list.map((c) => (
            <tr key={c.key}>
              <td>{c.label}</td>
              <td>
                <code>{c.key}</code>
              </td>
              <td>
                {c.type}
                {c.options?.length ? ` (${c.options.join(', ')})` : ''}
              </td>
              <td>{c.required ? 'yes' : 'no'}</td>
              <td>
                <button
                  type="button"
                  className="link danger"
                  onClick={() =>
                    api.del(`/custom-fields/${encodeURIComponent(c.key)}`).then(cfs.reload, setError)
                  }
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {cfs.list.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No custom fields yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form className="card form-grid" onSubmit={add} noValidate aria-label="Add a custom field">
        <Field
          label="Label"
          value={form.label}
          onChange={(e) => setForm({ ...form, label: e.target.value })}
          error={fields.label}
        />
        <Field
          label="Key"
          value={form.key}
          onChange={(e) => setForm({ ...form, key: e.target.value })}
          error={fields.key}
          hint="letters, digits, _ . -"
        />
        <SelectField
          label="Type"
          value={form.type}
          onChange={(e) => setForm({ ...form, type: e.target.value })}
          error={fields.type}
        >
          {['string', 'number', 'date', 'boolean', 'enum'].map((t) => (
            <option key={t}>{t}</option>
          ))}
        </SelectField>
        {form.type === 'enum' && (
          <Field
            label="Options (comma separated)"
            value={form.options}
            onChange={(e) => setForm({ ...form, options: e.target.value })}
            error={fields.options}
          />
        )}
        <label className="check-row">
          <input
            type="checkbox"
            checked={form.required}
            onChange={(e) => setForm({ ...form, required: e.target.checked })}
          />
          Required
        </label>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions span-all">
          <button type="submit" className="primary">
            Add field
          </button>
        </div>
      </form>
    </div>
  );
}
