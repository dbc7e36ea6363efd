import { useState, type FormEvent } from 'react';
import { api, ApiError, session } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Field } from '../components/ui';

/** "Forgot password": asks for the email; the answer never says whether the account exists. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ detail: string }>('/auth/password-reset', { email });
      setDone(r.detail);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="auth" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate aria-label="Forgot password">
        <p className="brand">Leadflow</p>
        <h1>Forgot your password?</h1>
        {done ? (
          <p role="status">{done}</p>
        ) : (
          <>
            <p className="muted">
              Enter the email of your account: we will send you a link to choose a new password.
            </p>
            <Field
              label="Email"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={error?.fields.email}
              required
            />
            {error && !error.errors.length && (
              <p className="alert" role="alert">
                {error.message}
              </p>
            )}
            <button className="primary" type="submit" disabled={busy}>
              Send the link
            </button>
          </>
        )}
        <p className="muted">
          <Link to="/signin">Back to sign in</Link>
        </p>
      </form>
    </main>
  );
}

/** The page the emailed link opens: choose a new password, then you are signed in (everywhere else signed out). */
export function ResetPasswordPage({ token }: { token: string }) {
  const { signIn } = useSession();
  const [form, setForm] = useState({ password: '', confirm: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (form.password !== form.confirm) {
      setError(
        new ApiError(400, 'mismatch', 'The passwords differ.', [
          { field: 'confirm', message: 'must be the same password' },
        ]),
      );
      return;
    }
    setBusy(true);
    try {
      const r = await api.post<{ organizations: { id: number }[] }>(
        '/auth/password-reset/confirm',
        {
          token,
          password: form.password,
        },
      );
      // With two-factor on no session was opened: sign in with the new password and a code.
      if (!session.signedIn) return navigate('/signin');
      await signIn(r.organizations[0]?.id);
      navigate('/leads');
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  const fields = error?.fields ?? {};
  return (
    <main className="auth" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate aria-label="Reset password">
        <p className="brand">Leadflow</p>
        <h1>Choose a new password</h1>
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={fields.password}
          hint="At least 8 characters. You will be signed out on every other device."
          required
        />
        <Field
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          value={form.confirm}
          onChange={(e) => setForm({ ...form, confirm: e.target.value })}
          error={fields.confirm}
          required
        />
        {(fields.token || (error && !error.errors.length)) && (
          <p className="alert" role="alert">
            {fields.token ? `This link ${fields.token}.` : error!.message}{' '}
            {fields.token && <Link to="/forgot-password">Ask for a new link</Link>}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          Set the password
        </button>
      </form>
    </main>
  );
}
