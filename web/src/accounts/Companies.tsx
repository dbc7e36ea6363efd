import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, ApiError, qs } from '../api';
import { useApi, useDebounced } from '../hooks';
import { Link, navigate } from '../router';
import { Dialog, ErrorNote, Field } from '../components/ui';
import { InlineField, valueLink } from '../components/InlineField';
import {
  AccountTabs,
  AccountTimeline,
  EmptyState,
  LinkedLeads,
  LinkedOpportunities,
  patchOf,
  Skeleton,
  useUserOptions,
  type Company,
  type Contact,
  deleteWithUndo,
} from './common';
import { contactName } from './common';

/** Pages through a keyset list (`next_cursor`) in the shared cache. */
export function useKeysetList<T>(path: string, params: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: ['api', `${path}${qs(params)}`, 'pages'],
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      api.get<{ data: T[]; next_cursor: string | null }>(
        `${path}${qs({ ...params, limit: '50', cursor: pageParam })}`,
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function CompaniesPage() {
  const [q, setQ] = useState('');
  const search = useDebounced(q, 250);
  const [creating, setCreating] = useState(false);
  const users = useUserOptions();
  const list = useKeysetList<Company>('/companies', { q: search.trim(), sort: 'name' });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <section className="page" aria-labelledby="companies-h">
      <AccountTabs current="companies" />
      <div className="page-head">
        <h1 id="companies-h">Companies</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New company
        </button>
      </div>
      <label className="search">
        <span className="sr-only">Search companies</span>
        <input
          type="search"
          placeholder="Search name, domain, phone, email…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      <ErrorNote error={list.error} />
      {list.isPending ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        search ? (
          <EmptyState icon="🔍" title={`No company matches “${search}”.`} />
        ) : (
          <EmptyState icon="🏢" title="No company yet.">
            <p>
              Companies come from converted leads or from an import. <Link to="/leads">Convert a lead</Link>,{' '}
              <Link to="/import">import a file</Link> or{' '}
              <button type="button" className="link" onClick={() => setCreating(true)}>
                add one
              </button>
              .
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <table className="acct-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Domain</th>
                <th scope="col">Industry</th>
                <th scope="col">Phone</th>
                <th scope="col">Owner</th>
                <th scope="col">Customer</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/companies/${c.id}`}>{c.name}</Link>
                  </td>
                  <td>{c.domain}</td>
                  <td>{c.industry}</td>
                  <td>{c.phone ? valueLink('tel', c.phone) : ''}</td>
                  <td>{users.name(c.owner_id)}</td>
                  <td>{c.customer_status === 'customer' ? 'Customer' : 'Prospect'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="acct-cards" aria-label="Companies">
            {rows.map((c) => (
              <li key={c.id}>
                <Link to={`/companies/${c.id}`}>{c.name}</Link>
                <span className="muted">{[c.domain, c.industry].filter(Boolean).join(' · ')}</span>
                {c.owner_id ? <span className="muted">Owner: {users.name(c.owner_id)}</span> : null}
              </li>
            ))}
          </ul>
          {list.hasNextPage && (
            <button
              type="button"
              onClick={() => void list.fetchNextPage()}
              disabled={list.isFetchingNextPage}
            >
              {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          )}
        </>
      )}
      <NewCompanyDialog open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

function NewCompanyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form, setForm] = useState({ name: '', domain: '', phone: '' });
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const c = await api.post<Company>('/companies', {
        name: form.name.trim(),
        ...(form.domain.trim() ? { domain: form.domain.trim() } : {}),
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      });
      onClose();
      setForm({ name: '', domain: '', phone: '' });
      navigate(`/companies/${c.id}`);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const f = error?.fields ?? {};
  return (
    <Dialog title="New company" open={open} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <Field
          label="Name"
          value={form.name}
          autoFocus
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={f.name}
        />
        <Field
          label="Domain"
          value={form.domain}
          placeholder="example.com"
          onChange={(e) => setForm({ ...form, domain: e.target.value })}
          error={f.domain}
        />
        <Field
          label="Phone"
          type="tel"
          value={form.phone}
          onChange={(e) => setForm({ ...form, phone: e.target.value })}
          error={f.phone}
        />
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

export function CompanyPage({ id }: { id: number }) {
  const r = useApi<Company>(`/companies/${id}`);
  const contacts = useApi<{ data: Contact[] }>(`/contacts?company_id=${id}&limit=50`);
  const users = useUserOptions();
  const c = r.data;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!c)
    return (
      <section className="page">
        <Skeleton lines={8} label="Loading the company" />
      </section>
    );
  const save = (field: string) => async (v: string) => {
    await api.patch(`/companies/${id}`, patchOf(field, v, field === 'owner_id' ? 'int' : 'text'));
    r.reload();
  };
  const text: [string, string, ('text' | 'url' | 'tel' | 'email')?][] = [
    ['name', 'Name'],
    ['domain', 'Domain'],
    ['website', 'Website', 'url'],
    ['phone', 'Phone', 'tel'],
    ['email', 'Email', 'email'],
    ['industry', 'Industry'],
  ];
  return (
    <section className="page" aria-labelledby="company-h">
      <p className="crumbs">
        <Link to="/companies">Companies</Link> / #{c.id}
      </p>
      <div className="page-head">
        <h1 id="company-h">{c.name}</h1>
        <span className={`pill ${c.customer_status === 'customer' ? 'cat-won' : ''}`}>
          {c.customer_status === 'customer' ? 'Customer' : 'Prospect'}
        </span>
        <button type="button" className="danger" onClick={() => void deleteWithUndo('companies', id, c.name)}>
          Delete
        </button>
      </div>
      <div className="acct-grid">
        <div className="stack">
          <section className="card" aria-label="Company details">
            <div className="ifield-grid">
              {text.map(([k, label, kind]) => (
                <InlineField
                  key={k}
                  field={k}
                  label={label}
                  kind={kind}
                  value={String(c[k as keyof Company] ?? '')}
                  onSave={save(k)}
                  required={k === 'name'}
                />
              ))}
              <InlineField
                field="owner_id"
                label="Owner"
                kind="select"
                options={users.options}
                value={c.owner_id ? String(c.owner_id) : ''}
                onSave={save('owner_id')}
              />
              <InlineField
                field="address.city"
                label="City"
                value={c.address.city ?? ''}
                onSave={save('address.city')}
              />
              <InlineField
                field="address.country"
                label="Country (ISO code)"
                value={c.address.country ?? ''}
                onSave={save('address.country')}
              />
              <div className="span-2">
                <InlineField
                  field="description"
                  label="Description"
                  kind="textarea"
                  value={c.description ?? ''}
                  onSave={save('description')}
                />
              </div>
            </div>
          </section>
          <AccountTimeline
            entity={c}
            noun="Company"
            leadFilter={{ company_id: id }}
            oppFilter={{ company_id: id }}
          />
        </div>
        <div className="stack">
          <section className="card" aria-labelledby="company-contacts-h">
            <h2 id="company-contacts-h">Contacts ({contacts.data?.data.length ?? '…'})</h2>
            {!contacts.data ? (
              <Skeleton lines={2} />
            ) : contacts.data.data.length === 0 ? (
              <p className="muted">No contact works here yet.</p>
            ) : (
              <ul className="links-list">
                {contacts.data.data.map((p) => (
                  <li key={p.id}>
                    <Link to={`/contacts/${p.id}`}>{contactName(p)}</Link>
                    <span className="muted">{p.job_title}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <LinkedLeads filter={{ company_id: id }} />
          <LinkedOpportunities filter={{ company_id: id }} />
        </div>
      </div>
    </section>
  );
}
