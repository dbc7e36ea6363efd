import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { client, ok } from '../client';
import { useSession } from '../session';
import { ErrorNote, Field } from '../components/ui';

/** Who I am in this organization, and my password: what every role can change about itself. */
export function ProfileSettings() {
  const { me } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const org = me?.organizations.find((o) => o.id === me.organization_id);

  async function change(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await ok(
        client.POST('/api/v1/me/password', { body: { current_password: current, new_password: next } }),
      );
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <div className="stack">
      <h2>Profile</h2>
      <dl className="card facts">
        <dt>Name</dt>
        <dd>{me?.user?.name}</dd>
        <dt>Email</dt>
        <dd>{me?.user?.email}</dd>
        <dt>Organization</dt>
        <dd>{org?.name}</dd>
        <dt>Role</dt>
        <dd>{me?.role}</dd>
      </dl>
      <form className="card stack" onSubmit={change} noValidate aria-label="Change my password">
        <h3>Change my password</h3>
        <div className="form-grid">
          <Field
            label="Current password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={error?.fields.current_password}
          />
          <Field
            label="New password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            error={error?.fields.new_password}
          />
        </div>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions">
          {done && (
            <span className="muted" role="status">
              Password changed.
            </span>
          )}
          <button type="submit" className="primary">
            Change password
          </button>
        </div>
      </form>
    </div>
  );
}
