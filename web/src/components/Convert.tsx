import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime } from '../hooks';
import type { Lead } from '../types';
import { Dialog, Field } from './ui';

interface Company {
  id: number;
  name: string;
  domain: string | null;
}
interface Contact {
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}
interface Converted {
  at: string;
  company_id: number | null;
  contact_id: number | null;
  opportunity_id: number | null;
}

/** The company and contacts behind a lead, and turning it into them (POST /leads/:id/convert). */
export function Convert({ lead, onDone }: { lead: Lead; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [withOpp, setWithOpp] = useState(true);
  const [opp, setOpp] = useState({ name: '', amount: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const company = lead.company as Company | null | undefined;
  const contacts = (lead.contacts as Contact[] | undefined) ?? [];
  const converted = lead.converted as Converted | null | undefined;

  async function convert() {
    setError(null);
    try {
      // Absent parts come from the lead: its company and contact are matched or created by the server.
      await api.post(`/leads/${lead.id}/convert`, {
        ...(withOpp
          ? {
              create_opportunity: {
                ...(opp.name ? { name: opp.name } : {}),
                ...(opp.amount ? { amount: opp.amount } : {}),
              },
            }
          : {}),
      });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e as ApiError);
    }
  }
  const fields = error?.fields ?? {};
  return (
    <div className="card">
      <h2>Company and contacts</h2>
      <p>
        {company
          ? `${company.name}${company.domain ? ` (${company.domain})` : ''}`
          : lead.company_name
            ? `${lead.company_name} (not linked yet)`
            : 'No company'}
      </p>
      {contacts.length > 0 && (
        <ul className="plain">
          {contacts.map((c) => (
            <li key={c.id}>
              {[c.first_name, c.last_name].filter(Boolean).join(' ') || c.email}
              {c.email && <span className="muted"> · {c.email}</span>}
            </li>
          ))}
        </ul>
      )}
      {converted ? (
        <p className="muted" data-testid="converted">
          Converted {formatDateTime(converted.at)}
          {converted.opportunity_id ? ` into opportunity #${converted.opportunity_id}` : ''}.
        </p>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Convert…
        </button>
      )}
      <Dialog title="Convert lead" open={open} onClose={() => setOpen(false)}>
        <div className="stack">
          <p>
            Links or creates {lead.company_name ? 'the company and ' : ''}the contact behind this lead, and
            moves it to Converted.
          </p>
          <label className="check-row">
            <input type="checkbox" checked={withOpp} onChange={(e) => setWithOpp(e.target.checked)} />
            Also create an opportunity
          </label>
          {withOpp && (
            <>
              <Field
                label="Opportunity name"
                value={opp.name}
                placeholder="defaults to the lead title"
                onChange={(e) => setOpp({ ...opp, name: e.target.value })}
                error={fields['create_opportunity.name']}
              />
              <Field
                label="Amount"
                inputMode="decimal"
                value={opp.amount}
                placeholder={lead.value ?? ''}
                onChange={(e) => setOpp({ ...opp, amount: e.target.value })}
                error={fields['create_opportunity.amount']}
              />
            </>
          )}
          {error && (
            <p className="alert" role="alert">
              {error.message}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => void convert()}>
              Convert
            </button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
