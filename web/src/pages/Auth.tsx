import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Field } from '../components/ui';

interface AuthResult {
  organization?: { id: number };
  organizations?: { id: number }[];
  /** Two-factor on: no session yet, the code step comes next. */
  two_factor_required?: true;
  challenge_token?: string;
}

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const { signIn } = useSession();
  const [form, setForm] = useState({ name: '', organization_name: '', email: '', password: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const fields = error?.fields ?? {};

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = mode === 'signup' ? form : { email: form.email, password: form.password };
      const r = await api.post<AuthResult>(mode === 'signup' ? '/auth/signup' : '/auth/login', body);
      if (r.two_factor_required && r.challenge_token) {
        setChallenge(r.challenge_token);
        return;
      }
      await signIn(r.organization?.id ?? r.organizations?.[0]?.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', (err as Error).message));
    } finally {
      setBusy(false);
    }
  }

  if (challenge)
    return (
      <TwoFactorStep
        challenge={challenge}
        onRestart={() => {
          setChallenge(null);
          setForm({ ...form, password: '' });
        }}
      />
    );

  return (
    <main className="auth" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <p className="brand">Leadflow</p>
        <h1>{mode === 'signup' ? 'Create your workspace' : 'Sign in'}</h1>
        {mode === 'signup' && (
          <>
            <Field
              label="Your name"
              autoComplete="name"
              value={form.name}
              onChange={set('name')}
              error={fields.name}
              required
            />
            <Field
              label="Company / organization"
              autoComplete="organization"
              value={form.organization_name}
              onChange={set('organization_name')}
              error={fields.organization_name}
              required
            />
          </>
        )}
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={fields.email}
          required
        />
        <Field
          label="Password"
          type="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          value={form.password}
          onChange={set('password')}
          error={fields.password}
          hint={mode === 'signup' ? 'At least 8 characters' : undefined}
          required
        />
        {mode === 'signin' && (
          <p className="muted">
            <Link to="/forgot-password">Forgot your password?</Link>
          </p>
        )}
        {error && !error.errors.length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {mode === 'signup' ? 'Create account' : 'Sign in'}
        </button>
        <p className="muted">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link to="/signin">Sign in</Link>
            </>
          ) : (
            <>
              New to Leadflow? <Link to="/signup">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}

/** The second sign-in step with two-factor on: a code from the app, or a recovery code. */
function TwoFactorStep({ challenge, onRestart }: { challenge: string; onRestart: () => void }) {
  const { signIn } = useSession();
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<AuthResult>('/auth/login/two-factor', {
        challenge_token: challenge,
        code: code.trim(),
      });
      await signIn(r.organizations?.[0]?.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', (err as Error).message));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="auth" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate aria-label="Two-factor code">
        <p className="brand">Leadflow</p>
        <h1>Enter your code</h1>
        <p className="muted">Open your authenticator app, or use one of your recovery codes.</p>
        <Field
          label="Code"
          inputMode="numeric"
          autoComplete="one-time-code"
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={error?.fields.code}
          required
        />
        {error && !error.errors.length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          Verify
        </button>
        <p className="muted">
          <button type="button" className="link" onClick={onRestart}>
            Back to sign-in
          </button>
        </p>
      </form>
    </main>
  );
}

/** The page an invitation link opens: join the organization with a new or an existing account. */
export function AcceptInvitePage({ token }: { token: string }) {
  const { signIn } = useSession();
  const [form, setForm] = useState({ name: '', password: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ organization_id: number }>(
        `/invitations/${encodeURIComponent(token)}/accept`,
        {
          ...(form.name ? { name: form.name } : {}),
          password: form.password,
        },
      );
      await signIn(r.organization_id);
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
      <form className="card auth-card" onSubmit={submit} noValidate>
        <p className="brand">Leadflow</p>
        <h1>Join your team</h1>
        <p className="muted">
          Already have a Leadflow account? Enter its password. New here? Choose your name and a password.
        </p>
        <Field
          label="Your name (new accounts)"
          autoComplete="name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={fields.name}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={fields.password}
        />
        {error && !error.errors.length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          Join
        </button>
      </form>
    </main>
  );
}
