import { useState } from 'react';
import { api, ApiError } from '../api';
import { useApi } from '../hooks';
import { useSession } from '../session';
import { ErrorNote, Field, SelectField } from '../components/ui';

type Prefs = Record<'lead_assigned' | 'daily_digest' | 'web_lead' | 'import_finished', boolean>;
interface EmailSettings {
  language: string | null;
  web_lead_recipient: string | null;
  time_zone: string | null;
  delivery: string;
  languages: string[];
}

const LABELS: [keyof Prefs, string][] = [
  ['lead_assigned', 'A lead is assigned to me'],
  ['daily_digest', 'Daily digest of my follow-ups and tasks due today (8:00)'],
  ['web_lead', 'A web-to-lead form I created receives a lead'],
  ['import_finished', 'An import I started has finished'],
];
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
};

/** My notification emails, and (for admins) the organization's email language and web-lead recipient. */
export function NotificationSettings() {
  const { me } = useSession();
  const prefs = useApi<Prefs>('/me/notifications');
  const settings = useApi<EmailSettings>('/email/settings');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState('');
  const [recipient, setRecipient] = useState<string | null>(null);
  // The box changes at once; a refused save puts the server's value back.
  const [local, setLocal] = useState<Prefs | null>(null);
  const current = local ?? prefs.data;
  const admin = me?.role === 'owner' || me?.role === 'admin';

  async function save(p: Promise<unknown>, what: string, reload: () => void) {
    setError(null);
    try {
      await p;
      setSaved(what);
      reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const s = settings.data;
  return (
    <div className="stack">
      <h2>Email notifications</h2>
      <fieldset className="card">
        <legend>Email me when</legend>
        {current &&
          LABELS.map(([k, label]) => (
            <label key={k} className="check">
              <input
                type="checkbox"
                checked={current[k]}
                onChange={(e) => {
                  setLocal({ ...current, [k]: e.target.checked });
                  void api.patch<Prefs>('/me/notifications', { [k]: e.target.checked }).then(
                    (p) => {
                      setLocal(p);
                      setSaved('Preferences saved.');
                    },
                    (err: ApiError) => {
                      setLocal(null);
                      setError(err);
                    },
                  );
                }}
              />{' '}
              {label}
            </label>
          ))}
      </fieldset>
      {s && (
        <form
          className="card form-grid"
          aria-label="Organization email settings"
          onSubmit={(e) => {
            e.preventDefault();
            void save(
              api.patch('/email/settings', {
                web_lead_recipient: (recipient ?? s.web_lead_recipient ?? '') || null,
              }),
              'Email settings saved.',
              settings.reload,
            );
          }}
        >
          <SelectField
            label="Language of the emails"
            value={s.language ?? 'en'}
            disabled={!admin}
            onChange={(e) =>
              save(
                api.patch('/email/settings', { language: e.target.value }),
                'Email settings saved.',
                settings.reload,
              )
            }
          >
            {s.languages.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l] ?? l}
              </option>
            ))}
          </SelectField>
          <Field
            label="Send web-to-lead notices to"
            type="email"
            placeholder="the creator of the form"
            disabled={!admin}
            value={recipient ?? s.web_lead_recipient ?? ''}
            onChange={(e) => setRecipient(e.target.value)}
            error={error?.fields.web_lead_recipient}
          />
          {admin && (
            <div className="actions span-all">
              <button type="submit">Save</button>
            </div>
          )}
          <p className="muted span-all">
            {s.delivery === 'smtp'
              ? 'Emails are sent through the SMTP server of this instance.'
              : 'No SMTP server is configured: emails are written to data/mail on the server (see docs/email.md).'}{' '}
            Times are in {s.time_zone ?? 'UTC'}.
          </p>
        </form>
      )}
      {saved && <p role="status">{saved}</p>}
      <ErrorNote error={error && !error.errors.length ? error : null} />
    </div>
  );
}
