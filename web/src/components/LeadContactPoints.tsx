import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import type { Lead } from '../types';
import { Field, SelectField } from './ui';

const PHONE_TYPES = ['mobile', 'work', 'home', 'fax', 'pager', 'other'];
const EMAIL_TYPES = ['work', 'home', 'other'];

/** Every email and phone of a lead, with its type; the primary ones are the lead's own email, phone and mobile. */
export function LeadContactPoints({ lead, onChange }: { lead: Lead; onChange: () => void }) {
  const [kind, setKind] = useState<'emails' | 'phones'>('phones');
  const [value, setValue] = useState('');
  const [type, setType] = useState('mobile');
  const [ext, setExt] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const body =
        kind === 'emails'
          ? { address: value.trim(), type }
          : { number: value.trim(), type, ...(ext.trim() ? { extension: ext.trim() } : {}) };
      await api.post(`/leads/${lead.id}/${kind}`, body);
      setValue('');
      setExt('');
      onChange();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const remove = async (path: string) => {
    await api.del(`/leads/${lead.id}/${path}`);
    onChange();
  };
  const makePrimary = async (path: string) => {
    await api.patch(`/leads/${lead.id}/${path}`, { primary: true });
    onChange();
  };

  return (
    <section className="card" aria-labelledby="points-h">
      <h2 id="points-h">Emails and phones</h2>
      <ul className="plain-list" aria-label="Contact points">
        {(lead.emails ?? []).map((p) => (
          <li key={`e${p.id ?? p.address}`}>
            <span className="pill">{p.type}</span> {p.address}
            {p.primary && <strong className="tag-primary"> primary</strong>}
            {!p.valid && <span className="muted"> (invalid)</span>}
            {p.id !== null && !p.primary && (
              <button type="button" className="link" onClick={() => makePrimary(`emails/${p.id}`)}>
                Make primary
              </button>
            )}
            {p.id !== null && (
              <button
                type="button"
                className="link"
                aria-label={`Remove ${p.address}`}
                onClick={() => remove(`emails/${p.id}`)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
        {(lead.phones ?? []).map((p) => (
          <li key={`p${p.id ?? p.number}`}>
            <span className="pill">{p.type}</span> {p.number}
            {p.extension ? ` ext. ${p.extension}` : ''}
            {p.primary && <strong className="tag-primary"> primary</strong>}
            {!p.valid && <span className="muted"> (invalid)</span>}
            {p.id !== null && !p.primary && (
              <button type="button" className="link" onClick={() => makePrimary(`phones/${p.id}`)}>
                Make primary
              </button>
            )}
            {p.id !== null && (
              <button
                type="button"
                className="link"
                aria-label={`Remove ${p.number}`}
                onClick={() => remove(`phones/${p.id}`)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="inline-form parts-form" onSubmit={add} aria-label="Add an email or phone">
        <SelectField
          label="Kind"
          value={kind}
          onChange={(e) => {
            const k = e.target.value as 'emails' | 'phones';
            setKind(k);
            setType(k === 'emails' ? 'work' : 'mobile');
          }}
        >
          <option value="phones">Phone</option>
          <option value="emails">Email</option>
        </SelectField>
        <Field
          label={kind === 'emails' ? 'Address' : 'Number'}
          type={kind === 'emails' ? 'email' : 'tel'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={error?.fields.number ?? error?.fields.address}
        />
        <SelectField
          label="Type"
          value={type}
          onChange={(e) => setType(e.target.value)}
          error={error?.fields.type}
        >
          {(kind === 'emails' ? EMAIL_TYPES : PHONE_TYPES).map((t) => (
            <option key={t}>{t}</option>
          ))}
        </SelectField>
        {kind === 'phones' && (
          <Field
            label="Extension"
            value={ext}
            onChange={(e) => setExt(e.target.value)}
            error={error?.fields.extension}
          />
        )}
        <button type="submit" disabled={!value.trim()}>
          Add
        </button>
      </form>
    </section>
  );
}
