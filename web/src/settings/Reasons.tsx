import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useReasons } from '../hooks';
import { reasonLabel } from '../components/status';
import { ErrorNote, Field } from '../components/ui';

const CATEGORIES = ['on_hold', 'won', 'lost', 'closed'];

export function ReasonSettings() {
  const reasons = useReasons();
  const [text, setText] = useState('');
  const [cats, setCats] = useState<string[]>(['lost']);
  const [error, setError] = useState<ApiError | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/reasons', { text, categories: cats.length ? cats : null });
      setText('');
      reasons.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <div className="stack">
      <h2>Reasons</h2>
      <p className="muted">Asked for when a lead enters a status that needs one (lost, on hold…).</p>
      <ul className="plain list-rows">
        {reasons.list.map((r) => (
          <li key={r.id}>
            <span>{reasonLabel(r)}</span>
            <span className="muted">
              {Array.isArray(r.categories) && r.categories.length ? r.categories.join(', ') : 'any status'}
            </span>
            <button
              type="button"
              className="link danger"
              onClick={() => api.del(`/reasons/${r.id}`).then(reasons.reload, setError)}
            >
              Delete
            </button>
          </li>
        ))}
        {reasons.list.length === 0 && <li className="muted">No reasons yet.</li>}
      </ul>
      <form className="card stack" onSubmit={add} noValidate aria-label="Add a reason">
        <Field
          label="Reason"
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={error?.fields.text ?? error?.fields.label}
        />
        <fieldset>
          <legend>Used for</legend>
          {CATEGORIES.map((c) => (
            <label key={c} className="check-row">
              <input
                type="checkbox"
                checked={cats.includes(c)}
                onChange={(e) => setCats(e.target.checked ? [...cats, c] : cats.filter((x) => x !== c))}
              />
              {c.replace('_', ' ')}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions">
          <button type="submit" className="primary">
            Add reason
          </button>
        </div>
      </form>
    </div>
  );
}
