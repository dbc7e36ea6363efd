import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { client, ok, type Ok } from '../client';
import { CopyButton, ErrorNote, Field, Spinner } from '../components/ui';

type Status = Ok<'getMeTwoFactor'>;
type Enrolment = Ok<'createMeTwoFactor'>;

/**
 * Two-factor sign-in for the signed-in person (docs/security.md, "Two-factor sign-in"): set up an authenticator
 * app (QR code or secret, then a first code), see the recovery codes once, replace them, turn it off.
 */
export function SecuritySettings() {
  const [status, setStatus] = useState<Status | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setStatus(await ok(client.GET('/api/v1/me/two-factor')));
    } catch (err) {
      setError(err as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function run(e: { preventDefault(): void }, action: () => Promise<void>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const begin = (e: FormEvent) =>
    run(e, async () => {
      setEnrolment(await ok(client.POST('/api/v1/me/two-factor', { body: { password } })));
      setPassword('');
    });
  const confirm = (e: FormEvent) =>
    run(e, async () => {
      const r = await ok(client.POST('/api/v1/me/two-factor/confirm', { body: { code: code.trim() } }));
      setCodes(r.recovery_codes);
      setEnrolment(null);
      setCode('');
      await load();
    });
  const proof = () => (code.trim() ? { code: code.trim() } : { password });
  const regenerate = (e: FormEvent) =>
    run(e, async () => {
      const r = await ok(client.POST('/api/v1/me/two-factor/recovery-codes', { body: proof() }));
      setCodes(r.recovery_codes);
      setPassword('');
      setCode('');
      await load();
    });
  const disable = (e: FormEvent) =>
    run(e, async () => {
      await ok(client.POST('/api/v1/me/two-factor/disable', { body: proof() }));
      setPassword('');
      setCode('');
      setCodes(null);
      await load();
    });

  const fields = error?.fields ?? {};
  if (!status) return error ? <ErrorNote error={error} /> : <Spinner />;

  return (
    <div className="stack">
      <h2>Security</h2>
      <p className="muted" role="status">
        {status.enabled
          ? `Two-factor sign-in is on. ${status.recovery_codes_left} recovery codes left.`
          : 'Two-factor sign-in is off: your password alone signs you in.'}
      </p>

      {codes && (
        <section className="card stack" aria-label="Recovery codes">
          <h3>Your recovery codes</h3>
          <p>
            Keep these somewhere safe: each one signs you in once if you lose your phone. They are shown only
            now.
          </p>
          <ul className="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <div className="actions">
            <CopyButton text={codes.join('\n')} label="Copy the codes" />
            <button type="button" onClick={() => setCodes(null)}>
              I have saved them
            </button>
          </div>
        </section>
      )}

      {!status.enabled && !enrolment && (
        <form className="card stack" onSubmit={begin} noValidate aria-label="Set up two-factor sign-in">
          <h3>Set up two-factor sign-in</h3>
          <p>You will need an authenticator app on your phone. Confirm your password to start.</p>
          <Field
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
          />
          <ErrorNote error={error && !error.errors.length ? error : null} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Set up
            </button>
          </div>
        </form>
      )}

      {enrolment && (
        <form className="card stack" onSubmit={confirm} noValidate aria-label="Confirm two-factor sign-in">
          <h3>Scan this code with your authenticator app</h3>
          <img src={enrolment.qr_code} alt="QR code of your two-factor secret" width={220} height={220} />
          <p>
            Or type this key: <code data-testid="totp-secret">{enrolment.secret}</code>{' '}
            <CopyButton text={enrolment.secret} label="Copy the key" />
          </p>
          <Field
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={fields.code}
          />
          <ErrorNote error={error && !error.errors.length ? error : null} />
          <div className="actions">
            <button type="button" onClick={() => setEnrolment(null)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              Turn on
            </button>
          </div>
        </form>
      )}

      {status.enabled && (
        <form className="card stack" onSubmit={disable} noValidate aria-label="Manage two-factor sign-in">
          <h3>Manage two-factor sign-in</h3>
          <p>Confirm with your password, or with a code from your app.</p>
          <div className="form-grid">
            <Field
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={fields.password}
            />
            <Field
              label="Or a code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={fields.code}
            />
          </div>
          <ErrorNote error={error && !error.errors.length ? error : null} />
          <div className="actions">
            <button type="button" onClick={regenerate} disabled={busy}>
              New recovery codes
            </button>
            <button type="submit" className="danger" disabled={busy}>
              Turn off two-factor sign-in
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
