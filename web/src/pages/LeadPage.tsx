import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link, navigate } from '../router';
import {
  formatDateTime,
  leadName,
  useApi,
  useCustomFields,
  useReasons,
  useStatuses,
  useUsers,
} from '../hooks';
import type { CustomField, Lead } from '../types';
import { changeStatus, StatusDialog } from '../components/status';
import { ErrorNote, Field, SelectField, Spinner, useConfirm } from '../components/ui';
import { Activity } from '../components/Activity';
import { Convert } from '../components/Convert';
import { LeadPeople } from '../components/LeadPeople';
import { LeadContactPoints } from '../components/LeadContactPoints';
import { LeadItems } from '../components/LeadItems';
import { ScorePanel } from '../scoring/ScorePanel';
import { DuplicateNotice } from '../duplicates/DuplicateNotice';

type Form = Record<string, string>;

const TEXT_FIELDS: [string, string, string?][] = [
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['email', 'Email', 'email'],
  ['phone', 'Phone', 'tel'],
  ['mobile', 'Mobile', 'tel'],
  ['company_name', 'Company'],
  ['job_title', 'Job title'],
  ['website', 'Website', 'url'],
  ['source', 'Source'],
  ['value', 'Value'],
  ['currency', 'Currency'],
  ['probability', 'Probability %'],
  ['expected_close_date', 'Expected close', 'date'],
  ['address.city', 'City'],
  ['address.country', 'Country (ISO code)'],
  ['tags', 'Tags (comma separated)'],
];
const NUMBER_FIELDS = new Set(['probability']);

function toForm(l: Lead, cfs: CustomField[]): Form {
  const f: Form = {};
  for (const [k] of TEXT_FIELDS) {
    const v = k.startsWith('address.')
      ? l.address[k.slice(8) as keyof Lead['address']]
      : k === 'tags'
        ? l.tags.join(', ')
        : l[k];
    f[k] = v === null || v === undefined ? '' : String(v);
  }
  f.description = l.description ?? '';
  for (const cf of cfs)
    f[`custom_fields.${cf.key}`] = l.custom_fields[cf.key] == null ? '' : String(l.custom_fields[cf.key]);
  return f;
}

/** Only what the user changed is sent, in the API's shape (null clears a field). */
function toPatch(before: Form, after: Form, cfs: CustomField[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const address: Record<string, string | null> = {};
  const custom: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (before[k] === after[k]) continue;
    const raw = after[k].trim();
    const v = raw === '' ? null : raw;
    if (k.startsWith('address.')) address[k.slice(8)] = v;
    else if (k.startsWith('custom_fields.')) {
      const cf = cfs.find((c) => `custom_fields.${c.key}` === k);
      custom[k.slice(14)] =
        v === null
          ? null
          : cf?.type === 'number' && v.trim() !== '' && !Number.isNaN(Number(v))
            ? Number(v)
            : cf?.type === 'boolean'
              ? v === 'true'
              : v;
    } else if (k === 'tags')
      patch.tags = raw
        ? raw
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : [];
    else if (NUMBER_FIELDS.has(k)) patch[k] = v === null ? null : Number.isNaN(Number(v)) ? v : Number(v);
    else patch[k] = v;
  }
  if (Object.keys(address).length) patch.address = address;
  if (Object.keys(custom).length) patch.custom_fields = custom;
  return patch;
}

export function LeadPage({ id }: { id: number }) {
  const lead = useApi<Lead>(`/leads/${id}`);
  const confirm = useConfirm();
  const statuses = useStatuses();
  const reasons = useReasons();
  const users = useUsers();
  const cfs = useCustomFields();
  const [form, setForm] = useState<Form>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState('');
  const [moving, setMoving] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const l = lead.data;

  useEffect(() => {
    if (l) setForm(toForm(l, cfs.list));
  }, [l, cfs.list]);

  if (lead.error) return <ErrorNote error={lead.error} />;
  if (!l) return <Spinner />;
  const base = toForm(l, cfs.list);
  const dirty = Object.keys(toPatch(base, form, cfs.list)).length > 0;
  const fields = error?.fields ?? {};
  const status = statuses.list.find((s) => s.key === l.status);

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSaved('');
    try {
      await api.patch(`/leads/${id}`, toPatch(base, form, cfs.list), {
        'if-match': `"${l!.id}-${l!.version}"`,
      });
      setSaved('Saved');
      lead.reload();
      setTick((t) => t + 1);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  return (
    <section className="page lead-page" aria-labelledby="lead-h">
      <p className="crumbs">
        <Link to="/leads">Leads</Link> / #{l.id}
      </p>
      <div className="page-head">
        <h1 id="lead-h">{leadName(l)}</h1>
        <span className={`pill cat-${l.status_category}`}>
          {status?.label ?? l.status}
          {l.sub_status ? ` · ${l.sub_status}` : ''}
        </span>
        {statuses.list.length > 0 && (
          <label className="inline">
            <span className="sr-only">Change status</span>
            <select value="" onChange={(e) => setMoving(e.target.value || null)}>
              <option value="">Change status…</option>
              {statuses.list
                .filter((s) => s.key !== l.status)
                .map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
            </select>
          </label>
        )}
        <button
          type="button"
          className="danger"
          onClick={async () => {
            if (!(await confirm.ask('Delete this lead? It can be restored from the trash.'))) return;
            await api.del(`/leads/${id}`);
            navigate('/leads');
          }}
        >
          Delete
        </button>
      </div>
      <DuplicateNotice lead={l} onChange={lead.reload} />
      <div className="lead-grid">
        <form className="card form-grid" onSubmit={save} noValidate aria-label="Lead details">
          {TEXT_FIELDS.map(([k, label, type]) => (
            <Field
              key={k}
              label={label}
              type={type ?? 'text'}
              value={form[k] ?? ''}
              onChange={set(k)}
              error={fields[k]}
            />
          ))}
          {users.list.length > 0 && (
            <SelectField
              label="Owner"
              value={String(l.owner_id ?? '')}
              onChange={async (e) => {
                try {
                  await api.patch(`/leads/${id}`, {
                    owner_id: e.target.value ? Number(e.target.value) : null,
                  });
                  lead.reload();
                } catch (err) {
                  setError(err as ApiError);
                }
              }}
              error={fields.owner_id}
            >
              <option value="">Nobody</option>
              {users.list.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </SelectField>
          )}
          {cfs.list.map((cf) =>
            cf.type === 'enum' ? (
              <SelectField
                key={cf.key}
                label={cf.label}
                value={form[`custom_fields.${cf.key}`] ?? ''}
                onChange={set(`custom_fields.${cf.key}`)}
                error={fields[`custom_fields.${cf.key}`]}
              >
                <option value="">(none)</option>
                {(cf.options ?? []).map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </SelectField>
            ) : (
              <Field
                key={cf.key}
                label={cf.label}
                type={cf.type === 'date' ? 'date' : 'text'}
                value={form[`custom_fields.${cf.key}`] ?? ''}
                onChange={set(`custom_fields.${cf.key}`)}
                error={fields[`custom_fields.${cf.key}`]}
              />
            ),
          )}
          <div className="field span-all">
            <label htmlFor="lead-desc">Description</label>
            <textarea id="lead-desc" rows={3} value={form.description ?? ''} onChange={set('description')} />
          </div>
          {error && (
            <p className="alert span-all" role="alert">
              {error.message}
            </p>
          )}
          <div className="actions span-all">
            <span className="muted" role="status">
              {saved || `Updated ${formatDateTime(l.updated_at)}`}
            </span>
            <button type="button" disabled={!dirty} onClick={() => setForm(base)}>
              Discard
            </button>
            <button type="submit" className="primary" disabled={!dirty}>
              Save changes
            </button>
          </div>
        </form>
        <div className="side">
          <ScorePanel lead={l} />
          <Convert lead={l} onDone={() => lead.reload()} />
          <LeadPeople lead={l} users={users.list} onChange={() => lead.reload()} />
          <LeadContactPoints lead={l} onChange={() => lead.reload()} />
          <LeadItems lead={l} onChange={() => lead.reload()} />
          <Activity
            leadId={id}
            refresh={tick}
            onChange={() => lead.reload()}
            nextFollowUp={l.next_follow_up_at}
            names={{
              status: (k) => statuses.list.find((s) => s.key === k)?.label ?? k,
              statusById: (sid) => statuses.list.find((s) => s.id === sid)?.label,
              user: (uid) => users.list.find((u) => u.id === uid)?.name ?? `user #${uid}`,
            }}
          />
        </div>
      </div>
      <StatusDialog
        target={moving ? (statuses.list.find((s) => s.key === moving) ?? null) : null}
        statuses={statuses.list}
        reasons={reasons.list}
        onCancel={() => setMoving(null)}
        onApply={async (c) => {
          await changeStatus(id, c);
          setMoving(null);
          lead.reload();
          setTick((t) => t + 1);
        }}
      />
      {confirm.dialog}
    </section>
  );
}
