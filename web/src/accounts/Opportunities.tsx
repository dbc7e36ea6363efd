import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { formatDate, formatMoney, useApi, useDebounced } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { Dialog, ErrorNote, Field, SelectField } from '../components/ui';
import { InlineField } from '../components/InlineField';
import {
  AccountTabs,
  contactName,
  EmptyState,
  patchOf,
  Skeleton,
  STAGES,
  stageCategory,
  stageLabel,
  useCompanyNames,
  useUserOptions,
  type Contact,
  type Opportunity,
  deleteWithUndo,
} from './common';
import { useKeysetList } from './Companies';

const sum = (list: Opportunity[]) => list.reduce((t, o) => t + (o.amount ? Number(o.amount) : 0), 0);

export function OpportunitiesPage() {
  const { query } = useLocation();
  const view = query.get('view') === 'board' ? 'board' : 'list';
  const [q, setQ] = useState('');
  const search = useDebounced(q, 250);
  const [creating, setCreating] = useState(false);
  return (
    <section className="page" aria-labelledby="opps-h">
      <AccountTabs current="opportunities" />
      <div className="page-head">
        <h1 id="opps-h">Opportunities</h1>
        <nav className="tabs" aria-label="View">
          <Link to="/opportunities" aria-current={view === 'list' ? 'page' : undefined}>
            List
          </Link>
          <Link to="/opportunities?view=board" aria-current={view === 'board' ? 'page' : undefined}>
            Board by stage
          </Link>
        </nav>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New opportunity
        </button>
      </div>
      <label className="search">
        <span className="sr-only">Search opportunities</span>
        <input type="search" placeholder="Search names…" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      {view === 'board' ? (
        <StageBoard q={search.trim()} />
      ) : (
        <OppList q={search.trim()} onNew={() => setCreating(true)} />
      )}
      <NewOpportunityDialog open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

function OppList({ q, onNew }: { q: string; onNew: () => void }) {
  const companies = useCompanyNames();
  const users = useUserOptions();
  const list = useKeysetList<Opportunity>('/opportunities', { q });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  if (list.error) return <ErrorNote error={list.error} />;
  if (list.isPending) return <Skeleton />;
  if (!rows.length)
    return q ? (
      <EmptyState icon="🔍" title={`No opportunity matches “${q}”.`} />
    ) : (
      <EmptyState icon="💼" title="No opportunity yet.">
        <p>
          Converting a lead can open one: <Link to="/leads">pick a lead</Link>, or{' '}
          <button type="button" className="link" onClick={onNew}>
            add one
          </button>
          .
        </p>
      </EmptyState>
    );
  return (
    <>
      <table className="acct-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Company</th>
            <th scope="col">Stage</th>
            <th scope="col">Amount</th>
            <th scope="col">Close date</th>
            <th scope="col">Owner</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/opportunities/${o.id}`}>{o.name}</Link>
              </td>
              <td>
                {o.company_id ? (
                  <Link to={`/companies/${o.company_id}`}>{companies.name(o.company_id)}</Link>
                ) : null}
              </td>
              <td>
                <span className={`pill cat-${stageCategory(o.stage)}`}>{stageLabel(o.stage)}</span>
              </td>
              <td>{formatMoney(o.amount, o.currency)}</td>
              <td>{formatDate(o.close_date)}</td>
              <td>{users.name(o.owner_id)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="acct-cards" aria-label="Opportunities">
        {rows.map((o) => (
          <li key={o.id}>
            <Link to={`/opportunities/${o.id}`}>{o.name}</Link>
            <span>
              <span className={`pill cat-${stageCategory(o.stage)}`}>{stageLabel(o.stage)}</span>{' '}
              {formatMoney(o.amount, o.currency)}
            </span>
            {o.company_id ? <span className="muted">{companies.name(o.company_id)}</span> : null}
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </>
  );
}

/** Opportunities in columns by stage; a card's stage picker moves it (a keyboard and phone friendly move). */
function StageBoard({ q }: { q: string }) {
  const r = useApi<{ data: Opportunity[]; next_cursor: string | null }>(
    `/opportunities?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`,
  );
  const companies = useCompanyNames();
  const [error, setError] = useState<unknown>(null);
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data) return <Skeleton />;
  const all = r.data.data;
  async function move(o: Opportunity, stage: string) {
    setError(null);
    try {
      await api.patch(`/opportunities/${o.id}`, { stage });
      r.reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <>
      <ErrorNote error={error} />
      {r.data.next_cursor && <p className="muted">Showing the 200 newest; search to narrow.</p>}
      <div className="stage-board">
        {STAGES.map((s) => {
          const list = all.filter((o) => o.stage === s.key);
          return (
            <section key={s.key} className={`stage-col cat-${stageCategory(s.key)}`} aria-label={s.label}>
              <h2>
                <span>{s.label}</span>
                <span className="count">{list.length}</span>
              </h2>
              <p className="muted">{formatMoney(sum(list))}</p>
              <ul>
                {list.map((o) => (
                  <li key={o.id} className="opp-card">
                    <Link to={`/opportunities/${o.id}`}>{o.name}</Link>
                    <span className="muted">
                      {[o.company_id ? companies.name(o.company_id) : null, formatMoney(o.amount, o.currency)]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                    <label>
                      <span className="sr-only">Stage of {o.name}</span>
                      <select value={o.stage} onChange={(e) => void move(o, e.target.value)}>
                        {STAGES.map((x) => (
                          <option key={x.key} value={x.key}>
                            {x.label}
                          </option>
                        ))}
                      </select>
                    </label>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </>
  );
}

function NewOpportunityDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const companies = useCompanyNames();
  const [form, setForm] = useState({ name: '', amount: '', company_id: '', stage: 'qualification' });
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const o = await api.post<Opportunity>('/opportunities', {
        name: form.name.trim(),
        stage: form.stage,
        ...(form.amount.trim() ? { amount: form.amount.trim() } : {}),
        ...(form.company_id ? { company_id: Number(form.company_id) } : {}),
      });
      onClose();
      setForm({ name: '', amount: '', company_id: '', stage: 'qualification' });
      navigate(`/opportunities/${o.id}`);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const f = error?.fields ?? {};
  return (
    <Dialog title="New opportunity" open={open} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <Field
          label="Name"
          value={form.name}
          autoFocus
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={f.name}
        />
        <Field
          label="Amount"
          inputMode="decimal"
          value={form.amount}
          onChange={(e) => setForm({ ...form, amount: e.target.value })}
          error={f.amount}
        />
        <SelectField
          label="Company"
          value={form.company_id}
          onChange={(e) => setForm({ ...form, company_id: e.target.value })}
          error={f.company_id}
        >
          <option value="">None</option>
          {companies.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Stage"
          value={form.stage}
          onChange={(e) => setForm({ ...form, stage: e.target.value })}
        >
          {STAGES.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </SelectField>
        {error && !Object.keys(f).length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function OpportunityPage({ id }: { id: number }) {
  const r = useApi<Opportunity>(`/opportunities/${id}`);
  const users = useUserOptions();
  const companies = useCompanyNames();
  const contacts = useApi<{ data: Contact[] }>(
    r.data?.company_id ? `/contacts?company_id=${r.data.company_id}&limit=100` : null,
  );
  const o = r.data;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!o)
    return (
      <section className="page">
        <Skeleton lines={8} label="Loading the opportunity" />
      </section>
    );
  const save = (field: string) => async (v: string) => {
    await api.patch(
      `/opportunities/${id}`,
      patchOf(field, v, field.endsWith('_id') || field === 'probability' ? 'int' : 'text'),
    );
    r.reload();
  };
  const contactOptions = (contacts.data?.data ?? []).map((c) => ({
    value: String(c.id),
    label: contactName(c),
  }));
  if (o.contact_id && !contactOptions.some((c) => c.value === String(o.contact_id)))
    contactOptions.push({ value: String(o.contact_id), label: `Contact #${o.contact_id}` });
  return (
    <section className="page" aria-labelledby="opp-h">
      <p className="crumbs">
        <Link to="/opportunities">Opportunities</Link> / #{o.id}
      </p>
      <div className="page-head">
        <h1 id="opp-h">{o.name}</h1>
        <span className={`pill cat-${stageCategory(o.stage)}`}>{stageLabel(o.stage)}</span>
        <strong>{formatMoney(o.amount, o.currency)}</strong>
        <button
          type="button"
          className="danger"
          onClick={() => void deleteWithUndo('opportunities', id, o.name)}
        >
          Delete
        </button>
      </div>
      <div className="acct-grid">
        <section className="card" aria-label="Opportunity details">
          <div className="ifield-grid">
            <InlineField field="name" label="Name" value={o.name} onSave={save('name')} required />
            <InlineField
              field="stage"
              label="Stage"
              kind="select"
              options={STAGES.map((s) => ({ value: s.key, label: s.label }))}
              value={o.stage}
              onSave={save('stage')}
            />
            <InlineField
              field="amount"
              label="Amount"
              kind="number"
              value={o.amount ?? ''}
              onSave={save('amount')}
            />
            <InlineField
              field="currency"
              label="Currency"
              value={o.currency ?? ''}
              onSave={save('currency')}
            />
            <InlineField
              field="probability"
              label="Probability %"
              kind="number"
              value={o.probability === null ? '' : String(o.probability)}
              onSave={save('probability')}
            />
            <InlineField
              field="close_date"
              label="Close date"
              kind="date"
              value={o.close_date ?? ''}
              display={formatDate(o.close_date)}
              onSave={save('close_date')}
            />
            <InlineField
              field="company_id"
              label="Company"
              kind="select"
              options={companies.options}
              value={o.company_id ? String(o.company_id) : ''}
              onSave={save('company_id')}
            />
            <InlineField
              field="contact_id"
              label="Contact"
              kind="select"
              options={contactOptions}
              value={o.contact_id ? String(o.contact_id) : ''}
              onSave={save('contact_id')}
            />
            <InlineField
              field="owner_id"
              label="Owner"
              kind="select"
              options={users.options}
              value={o.owner_id ? String(o.owner_id) : ''}
              onSave={save('owner_id')}
            />
            <div className="span-2">
              <InlineField
                field="description"
                label="Description"
                kind="textarea"
                value={o.description ?? ''}
                onSave={save('description')}
              />
            </div>
          </div>
        </section>
        <section className="card" aria-labelledby="opp-links-h">
          <h2 id="opp-links-h">Linked</h2>
          <dl className="facts">
            <dt>Company</dt>
            <dd>
              {o.company_id ? (
                <Link to={`/companies/${o.company_id}`}>{companies.name(o.company_id)}</Link>
              ) : (
                '—'
              )}
            </dd>
            <dt>Contact</dt>
            <dd>
              {o.contact_id ? (
                <Link to={`/contacts/${o.contact_id}`}>
                  {contactOptions.find((c) => c.value === String(o.contact_id))?.label}
                </Link>
              ) : (
                '—'
              )}
            </dd>
            <dt>From lead</dt>
            <dd>{o.lead_id ? <Link to={`/leads/${o.lead_id}`}>Lead #{o.lead_id}</Link> : '—'}</dd>
            <dt>Created</dt>
            <dd>
              {formatDate(o.created_at)}
              {o.created_by ? ` by ${users.name(o.created_by)}` : ''}
            </dd>
            <dt>Last change</dt>
            <dd>
              {formatDate(o.updated_at)}
              {o.updated_by ? ` by ${users.name(o.updated_by)}` : ''}
            </dd>
          </dl>
        </section>
      </div>
    </section>
  );
}
