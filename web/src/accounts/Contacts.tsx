import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useApi, useDebounced } from '../hooks';
import { Link, navigate } from '../router';
import { Dialog, ErrorNote, Field } from '../components/ui';
import { InlineField, valueLink } from '../components/InlineField';
import {
  AccountTabs,
  AccountTimeline,
  contactName,
  EmptyState,
  LinkedLeads,
  LinkedOpportunities,
  patchOf,
  Skeleton,
  useCompanyNames,
  useUserOptions,
  type Contact,
  deleteWithUndo,
} from './common';
import { useKeysetList } from './Companies';

export function ContactsPage() {
  const [q, setQ] = useState('');
  const search = useDebounced(q, 250);
  const [creating, setCreating] = useState(false);
  const companies = useCompanyNames();
  const list = useKeysetList<Contact>('/contacts', { q: search.trim() });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <section className="page" aria-labelledby="contacts-h">
      <AccountTabs current="contacts" />
      <div className="page-head">
        <h1 id="contacts-h">Contacts</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New contact
        </button>
      </div>
      <label className="search">
        <span className="sr-only">Search contacts</span>
        <input
          type="search"
          placeholder="Search name, email, phone, job title…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      <ErrorNote error={list.error} />
      {list.isPending ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        search ? (
          <EmptyState icon="🔍" title={`No contact matches “${search}”.`} />
        ) : (
          <EmptyState icon="👤" title="No contact yet.">
            <p>
              Contacts come from converted leads. <Link to="/leads">Convert a lead</Link>,{' '}
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
                <th scope="col">Company</th>
                <th scope="col">Job title</th>
                <th scope="col">Email</th>
                <th scope="col">Phone</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                  </td>
                  <td>
                    {c.company_id ? (
                      <Link to={`/companies/${c.company_id}`}>{companies.name(c.company_id)}</Link>
                    ) : null}
                  </td>
                  <td>{c.job_title}</td>
                  <td>{c.emails[0] ? valueLink('email', c.emails[0].email) : null}</td>
                  <td>{c.phones[0] ? valueLink('tel', c.phones[0].phone) : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="acct-cards" aria-label="Contacts">
            {rows.map((c) => (
              <li key={c.id}>
                <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                <span className="muted">
                  {[c.job_title, c.company_id ? companies.name(c.company_id) : null]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                {c.phones[0] && <span>{valueLink('tel', c.phones[0].phone)}</span>}
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
      <NewContactDialog open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

function NewContactDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form, setForm] = useState({ first_name: '', last_name: '', email: '' });
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const c = await api.post<Contact>('/contacts', {
        first_name: form.first_name.trim() || null,
        last_name: form.last_name.trim() || null,
        ...(form.email.trim() ? { emails: [{ email: form.email.trim() }] } : {}),
      });
      onClose();
      setForm({ first_name: '', last_name: '', email: '' });
      navigate(`/contacts/${c.id}`);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const f = error?.fields ?? {};
  return (
    <Dialog title="New contact" open={open} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <Field
          label="First name"
          value={form.first_name}
          autoFocus
          onChange={(e) => setForm({ ...form, first_name: e.target.value })}
          error={f.first_name}
        />
        <Field
          label="Last name"
          value={form.last_name}
          onChange={(e) => setForm({ ...form, last_name: e.target.value })}
          error={f.last_name}
        />
        <Field
          label="Email"
          type="email"
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
          error={f['emails.0.email'] ?? f['emails/0/email']}
        />
        {error && (
          <p className="alert" role="alert">
            {Object.values(f).join(' ') || error.message}
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

export function ContactPage({ id }: { id: number }) {
  const r = useApi<Contact>(`/contacts/${id}`);
  const users = useUserOptions();
  const companies = useCompanyNames();
  const c = r.data;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!c)
    return (
      <section className="page">
        <Skeleton lines={8} label="Loading the contact" />
      </section>
    );
  const send = async (body: Record<string, unknown>) => {
    await api.patch(`/contacts/${id}`, body);
    r.reload();
  };
  const save = (field: string) => (v: string) =>
    send(patchOf(field, v, field.endsWith('_id') ? 'int' : 'text'));
  // The first address and number are the primary ones; editing them keeps the others.
  const saveEmail = (v: string) =>
    send({ emails: v ? [{ email: v }, ...c.emails.slice(1)] : c.emails.slice(1) });
  const savePhone = (v: string) =>
    send({
      phones: v ? [{ phone: v, label: c.phones[0]?.label ?? null }, ...c.phones.slice(1)] : c.phones.slice(1),
    });
  const name = contactName(c);
  return (
    <section className="page" aria-labelledby="contact-h">
      <p className="crumbs">
        <Link to="/contacts">Contacts</Link> / #{c.id}
      </p>
      <div className="page-head">
        <h1 id="contact-h">{name}</h1>
        {c.company_id ? <Link to={`/companies/${c.company_id}`}>{companies.name(c.company_id)}</Link> : null}
        {c.do_not_contact && <span className="pill cat-lost">Do not contact</span>}
        <button type="button" className="danger" onClick={() => void deleteWithUndo('contacts', id, name)}>
          Delete
        </button>
      </div>
      <div className="acct-grid">
        <div className="stack">
          <section className="card" aria-label="Contact details">
            <div className="ifield-grid">
              <InlineField
                field="first_name"
                label="First name"
                value={c.first_name ?? ''}
                onSave={save('first_name')}
              />
              <InlineField
                field="last_name"
                label="Last name"
                value={c.last_name ?? ''}
                onSave={save('last_name')}
              />
              <InlineField
                field="job_title"
                label="Job title"
                value={c.job_title ?? ''}
                onSave={save('job_title')}
              />
              <InlineField
                field="emails"
                label="Email"
                kind="email"
                value={c.emails[0]?.email ?? ''}
                onSave={saveEmail}
              />
              <InlineField
                field="phones"
                label="Phone"
                kind="tel"
                value={c.phones[0]?.phone ?? ''}
                onSave={savePhone}
              />
              <InlineField
                field="company_id"
                label="Company"
                kind="select"
                options={companies.options}
                value={c.company_id ? String(c.company_id) : ''}
                onSave={save('company_id')}
              />
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
            {(c.emails.length > 1 || c.phones.length > 1) && (
              <p className="muted">
                Also:{' '}
                {[...c.emails.slice(1).map((e) => e.email), ...c.phones.slice(1).map((p) => p.phone)].join(
                  ', ',
                )}
              </p>
            )}
          </section>
          <AccountTimeline
            entity={c}
            noun="Contact"
            leadFilter={{ contact_id: id }}
            oppFilter={{ contact_id: id }}
          />
        </div>
        <div className="stack">
          <LinkedLeads filter={{ contact_id: id }} />
          <LinkedOpportunities filter={{ contact_id: id }} />
        </div>
      </div>
    </section>
  );
}
