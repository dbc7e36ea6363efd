import { useState } from 'react';
import { api, ApiError } from '../api';
import type { Lead } from '../types';
import { Dialog, Field } from './ui';

interface Ref {
  id: number;
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
}

/** The company and contacts behind a lead, and turning it into them. */
export function Convert({ lead, onDone }: { lead: Lead; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [opp, setOpp] = useState({ name: '', amount: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const company = lead.company as Ref | null | undefined;
  const contacts = (lead.contacts as Ref[] | undefined) ?? [];
  const converted = lead.status_category === 'converted' || !!lead.converted_at;

  async function convert() {
    setError(null);
    try {
      await api.post(`/leads/${lead.id}/convert`, {
        create_company: !lead.company_id && !!lead.company_name,
        create_contact: contacts.length === 0,
        ...(opp.name
          ? { create_opportunity: { name: opp.name, ...(opp.amount ? { amount: opp.amount } : {}) } }
          : {}),
      });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e as ApiError);
    }
  }
  return (
    <div className="card">
      <h2>Company and contacts</h2>
      <p>
        {company
          ? (company.name ?? `Company #${company.id}`)
          : lead.company_name
            ? `${lead.company_name} (not linked)`
            : 'No company'}
      </p>
      {contacts.length > 0 && (
        <ul className="plain">
          {contacts.map((c) => (
            <li key={c.id}>{[c.first_name, c.last_name].filter(Boolean).join(' ') || c.email}</li>
          ))}
        </ul>
      )}
      {converted ? (
        <p className="muted">This lead is converted.</p>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Convert…
        </button>
      )}
      <Dialog title="Convert lead" open={open} onClose={() => setOpen(false)}>
        <p>
          Creates {lead.company_name ? 'a company, ' : ''}a contact and optionally an opportunity from this
          lead.
        </p>
        <Field
          label="Opportunity name (optional)"
          value={opp.name}
          onChange={(e) => setOpp({ ...opp, name: e.target.value })}
          error={error?.fields['create_opportunity.name']}
        />
        <Field
          label="Amount"
          inputMode="decimal"
          value={opp.amount}
          onChange={(e) => setOpp({ ...opp, amount: e.target.value })}
          error={error?.fields['create_opportunity.amount']}
        />
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
      </Dialog>
    </div>
  );
}
