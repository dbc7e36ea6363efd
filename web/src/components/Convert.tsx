import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime } from '../hooks';
import { Link } from '../router';
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

interface ConvertAnswer {
  company: { id: number; name: string } | null;
  contact: { id: number; first_name: string | null; last_name: string | null } | null;
  opportunity: { id: number; name: string } | null;
}
interface Made {
  converted: Converted;
  names: { company?: string; contact?: string; opportunity?: string };
}

/** The company and contacts behind a lead, and turning it into them (POST /leads/:id/convert). */
export function Convert({ lead, onDone }: { lead: Lead; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [withOpp, setWithOpp] = useState(true);
  const [opp, setOpp] = useState({ name: '', amount: '' });
  const [error, setError] = useState<ApiError | null>(null);
  // The conversion's answer, shown at once (before the lead is refetched).
  const [made, setMade] = useState<Made | null>(null);
  const company = lead.company as Company | null | undefined;
  const contacts = (lead.contacts as Contact[] | undefined) ?? [];
  const converted = (lead.converted as Converted | null | undefined) ?? made?.converted ?? null;
  const names = made?.names ?? {};

  async function convert() {
    setError(null);
    try {
      // Absent parts come from the lead: its company and contact are matched or created by the server.
      const r = await api.post<ConvertAnswer>(`/leads/${lead.id}/convert`, {
        ...(withOpp
          ? {
              create_opportunity: {
                ...(opp.name ? { name: opp.name } : {}),
                ...(opp.amount ? { amount: opp.amount } : {}),
              },
            }
          : {}),
      });
      setMade({
        converted: {
          at: new Date().toISOString(),
          company_id: r.company?.id ?? null,
          contact_id: r.contact?.id ?? null,
          opportunity_id: r.opportunity?.id ?? null,
        },
        names: {
          company: r.company?.name,
          contact: r.contact
            ? [r.contact.first_name, r.contact.last_name].filter(Boolean).join(' ') || undefined
            : undefined,
          opportunity: r.opportunity?.name,
        },
      });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e as ApiError);
    }
  }
  const fields = error?.fields ?? {};
  const contactLabel = (id: number) => {
    const c = contacts.find((x) => x.id === id);
    return c ? [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || `#${id}` : `#${id}`;
  };
  return (
    <div className="card">
      <h2>Company and contacts</h2>
      <p>
        {company ? (
          <>
            <Link to={`/companies/${company.id}`}>{company.name}</Link>
            {company.domain ? ` (${company.domain})` : ''}
          </>
        ) : lead.company_name ? (
          `${lead.company_name} (not linked yet)`
        ) : (
          'No company'
        )}
      </p>
      {contacts.length > 0 && (
        <ul className="plain">
          {contacts.map((c) => (
            <li key={c.id}>
              <Link to={`/contacts/${c.id}`}>
                {[c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || `Contact #${c.id}`}
              </Link>
              {c.email && <span className="muted"> · {c.email}</span>}
            </li>
          ))}
        </ul>
      )}
      {converted ? (
        <div data-testid="converted" role="status">
          <p className="muted">Converted {formatDateTime(converted.at)} into:</p>
          <ul className="plain">
            {converted.company_id && (
              <li>
                Company{' '}
                <Link to={`/companies/${converted.company_id}`}>
                  {names.company ??
                    (company?.id === converted.company_id ? company.name : `#${converted.company_id}`)}
                </Link>
              </li>
            )}
            {converted.contact_id && (
              <li>
                Contact{' '}
                <Link to={`/contacts/${converted.contact_id}`}>
                  {names.contact ?? contactLabel(converted.contact_id)}
                </Link>
              </li>
            )}
            {converted.opportunity_id && (
              <li>
                Opportunity{' '}
                <Link to={`/opportunities/${converted.opportunity_id}`}>
                  {names.opportunity ?? `#${converted.opportunity_id}`}
                </Link>
              </li>
            )}
          </ul>
        </div>
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
