import { useMemo, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, qs } from '../api';
import type { Schemas } from '../client';
import { formatDate, formatDateTime, formatMoney, leadName, useApi, useStatuses, useUsers } from '../hooks';
import { Link, navigate } from '../router';
import { showToast } from '../components/Toasts';
import type { Lead, Page } from '../types';
import { TimelineEntry } from '../components/Timeline';
import type { Names, TimelineItem } from '../components/Activity';
import '../components/inline.css';

export type Company = Schemas['Company'];
export type Contact = Schemas['Contact'];
export type Opportunity = Schemas['Opportunity'];

export const STAGES: { key: string; label: string }[] = [
  { key: 'qualification', label: 'Qualification' },
  { key: 'needs_analysis', label: 'Needs analysis' },
  { key: 'proposal', label: 'Proposal' },
  { key: 'negotiation', label: 'Negotiation' },
  { key: 'closed_won', label: 'Won' },
  { key: 'closed_lost', label: 'Lost' },
];
export const stageLabel = (k: string) => STAGES.find((s) => s.key === k)?.label ?? k.replace(/_/g, ' ');
export const stageCategory = (k: string) =>
  k === 'closed_won' ? 'won' : k === 'closed_lost' ? 'lost' : 'open';

export const contactName = (
  c: { first_name: string | null; last_name: string | null; id: number } & {
    emails?: { email: string }[];
    email?: string | null;
  },
) =>
  [c.first_name, c.last_name].filter(Boolean).join(' ') ||
  c.emails?.[0]?.email ||
  c.email ||
  `Contact #${c.id}`;

/** Grey bars standing in for content while it loads (instead of a bare "Loading…"). */
export function Skeleton({ lines = 5, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label}>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

/** What to do when a list is empty: one sentence and the links to the next step. */
export function EmptyState({ icon, title, children }: { icon: string; title: string; children?: ReactNode }) {
  return (
    <div className="empty-state card">
      <span className="icon-big" aria-hidden="true">
        {icon}
      </span>
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/** The accounts' three screens share one sub-navigation. */
export function AccountTabs({ current }: { current: 'companies' | 'contacts' | 'opportunities' }) {
  const tabs = [
    { key: 'companies', to: '/companies', label: 'Companies' },
    { key: 'contacts', to: '/contacts', label: 'Contacts' },
    { key: 'opportunities', to: '/opportunities', label: 'Opportunities' },
  ] as const;
  return (
    <nav className="tabs" aria-label="Accounts">
      {tabs.map((t) => (
        <Link key={t.key} to={t.to} aria-current={current === t.key ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

/** Users for the owner pickers and the timeline's names. */
export function useUserOptions() {
  const users = useUsers();
  return useMemo(
    () => ({
      list: users.list,
      options: users.list.map((u) => ({ value: String(u.id), label: u.name })),
      name: (id: number | null | undefined) =>
        id ? (users.list.find((u) => u.id === id)?.name ?? `User #${id}`) : '',
    }),
    [users.list],
  );
}

/** Companies by id, for names in lists and pickers (the first 200 by name). */
export function useCompanyNames() {
  const r = useApi<{ data: Company[] }>('/companies?limit=200&sort=name');
  return useMemo(() => {
    const list = r.data?.data ?? [];
    return {
      list,
      options: list.map((c) => ({ value: String(c.id), label: c.name })),
      name: (id: number | null | undefined) =>
        id ? (list.find((c) => c.id === id)?.name ?? `Company #${id}`) : '',
    };
  }, [r.data]);
}

/** A PATCH body from one edited field: "" clears it (null); a dotted key goes into its object. */
export function patchOf(field: string, v: string, kind: 'text' | 'int' | 'amount' = 'text') {
  const value =
    v === '' ? null : kind === 'int' ? (/^-?\d+$/.test(v) ? Number(v) : v) : kind === 'amount' ? v : v;
  const [head, sub] = field.split('.');
  return sub ? { [head]: { [sub]: value } } : { [head]: value };
}

/** The leads linked to a company or a contact (converted ones included). */
export function LinkedLeads({ filter }: { filter: Record<string, number> }) {
  const r = useApi<Page<Lead>>(`/leads${qs({ ...filter, include_converted: true, limit: 50 })}`);
  const statuses = useStatuses();
  const leads = r.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="linked-leads-h">
      <h2 id="linked-leads-h">Leads ({r.data ? leads.length : '…'})</h2>
      {!r.data ? (
        <Skeleton lines={2} />
      ) : leads.length === 0 ? (
        <p className="muted">
          No lead is linked yet. <Link to="/leads">Open the leads</Link> and convert one.
        </p>
      ) : (
        <ul className="links-list">
          {leads.map((l) => (
            <li key={l.id}>
              <Link to={`/leads/${l.id}`}>{leadName(l)}</Link>
              <span className={`pill cat-${l.status_category}`}>
                {statuses.list.find((s) => s.key === l.status)?.label ?? l.status}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The opportunities of a company or contact. */
export function LinkedOpportunities({ filter }: { filter: Record<string, number> }) {
  const r = useApi<{ data: Opportunity[] }>(`/opportunities${qs({ ...filter, limit: 50 })}`);
  const list = r.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="linked-opps-h">
      <h2 id="linked-opps-h">Opportunities ({r.data ? list.length : '…'})</h2>
      {!r.data ? (
        <Skeleton lines={2} />
      ) : list.length === 0 ? (
        <p className="muted">None yet. Converting a lead can create one.</p>
      ) : (
        <ul className="links-list">
          {list.map((o) => (
            <li key={o.id}>
              <Link to={`/opportunities/${o.id}`}>{o.name}</Link>
              <span>
                <span className={`pill cat-${stageCategory(o.stage)}`}>{stageLabel(o.stage)}</span>{' '}
                {formatMoney(o.amount, o.currency)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Entry {
  at: string;
  key: string;
  node: ReactNode;
}

/**
 * An account's history, read from what the API has: its own creation and last change, the leads linked to it
 * (created, converted) and their activity (the first five leads' timelines: calls, comments, status changes), and
 * its opportunities. Newest first, local times, names instead of ids.
 */
export function AccountTimeline({
  entity,
  noun,
  leadFilter,
  oppFilter,
}: {
  entity: { created_at: string; updated_at: string; created_by: number | null; updated_by: number | null };
  noun: string;
  leadFilter: Record<string, number>;
  oppFilter?: Record<string, number>;
}) {
  const users = useUserOptions();
  const statuses = useStatuses();
  const leads = useApi<Page<Lead>>(`/leads${qs({ ...leadFilter, include_converted: true, limit: 50 })}`);
  const opps = useApi<{ data: Opportunity[] }>(
    oppFilter ? `/opportunities${qs({ ...oppFilter, limit: 50 })}` : null,
  );
  const leadList = useMemo(() => leads.data?.data ?? [], [leads.data]);
  const firstFive = leadList.slice(0, 5).map((l) => l.id);
  const timelines = useQuery({
    queryKey: ['api', `/leads/timelines/${firstFive.join(',')}`],
    enabled: leads.data !== undefined,
    queryFn: ({ signal }) =>
      Promise.all(
        firstFive.map((id) =>
          api
            .get<{ data: TimelineItem[] }>(`/leads/${id}/timeline?limit=20`, signal)
            .then((r) => r.data.map((it) => ({ ...it, lead_id: id }))),
        ),
      ).then((all) => all.flat()),
  });
  const names: Names = {
    status: (k) => statuses.list.find((s) => s.key === k)?.label ?? k,
    statusById: (sid) => statuses.list.find((s) => s.id === sid)?.label,
    user: (uid) => users.name(uid),
  };
  const by = (id: number | null) => (id ? ` · ${users.name(id)}` : '');

  const entries: Entry[] = [
    {
      at: entity.created_at,
      key: 'created',
      node: (
        <>
          <span className="tl-text">{noun} created</span>
          <span className="muted tl-meta">
            <time dateTime={entity.created_at}>{formatDateTime(entity.created_at)}</time>
            {by(entity.created_by)}
          </span>
        </>
      ),
    },
  ];
  if (entity.updated_at !== entity.created_at)
    entries.push({
      at: entity.updated_at,
      key: 'updated',
      node: (
        <>
          <span className="tl-text">Details last changed</span>
          <span className="muted tl-meta">
            <time dateTime={entity.updated_at}>{formatDateTime(entity.updated_at)}</time>
            {by(entity.updated_by)}
          </span>
        </>
      ),
    });
  for (const l of leadList) {
    const conv = l.converted as { at: string; by: number | null } | null | undefined;
    if (conv)
      entries.push({
        at: conv.at,
        key: `conv-${l.id}`,
        node: (
          <>
            <span className="tl-text">
              Lead <Link to={`/leads/${l.id}`}>{leadName(l)}</Link> converted
            </span>
            <span className="muted tl-meta">
              <time dateTime={conv.at}>{formatDateTime(conv.at)}</time>
              {by(conv.by)}
            </span>
          </>
        ),
      });
  }
  for (const o of opps.data?.data ?? [])
    entries.push({
      at: o.created_at,
      key: `opp-${o.id}`,
      node: (
        <>
          <span className="tl-text">
            Opportunity <Link to={`/opportunities/${o.id}`}>{o.name}</Link> opened ({stageLabel(o.stage)}
            {o.close_date ? `, closes ${formatDate(o.close_date)}` : ''})
          </span>
          <span className="muted tl-meta">
            <time dateTime={o.created_at}>{formatDateTime(o.created_at)}</time>
            {by(o.created_by)}
          </span>
        </>
      ),
    });
  const leadById = new Map(leadList.map((l) => [l.id, l]));
  const activity = (timelines.data ?? []).map((it, i) => ({ it, i }));
  const merged = [
    ...entries.map((e) => ({
      at: e.at,
      el: (
        <li key={e.key} className="tl">
          {e.node}
        </li>
      ),
    })),
    ...activity.map(({ it, i }) => {
      const lead = leadById.get(it.lead_id as number);
      return {
        at: it.at,
        el: (
          <TimelineEntry
            key={`a-${i}`}
            item={it}
            names={names}
            onDone={() => void timelines.refetch()}
            context={lead ? <Link to={`/leads/${lead.id}`}>{leadName(lead)}</Link> : undefined}
          />
        ),
      };
    }),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

  return (
    <section className="card" aria-labelledby="acct-tl-h">
      <h2 id="acct-tl-h">Timeline</h2>
      {leads.data === undefined ? (
        <Skeleton lines={3} />
      ) : (
        <ol className="timeline">{merged.map((m) => m.el)}</ol>
      )}
    </section>
  );
}

/**
 * Deletes a company, contact or opportunity without asking first (the delete is soft) and goes to its list,
 * where a toast offers Undo for ten seconds: POST /{kind}/{id}/restore brings it back, links included.
 */
export async function deleteWithUndo(
  kind: 'companies' | 'contacts' | 'opportunities',
  id: number | string,
  name: string,
) {
  // Leave the page first: a detail screen still showing when the delete lands would refetch itself into a 404.
  navigate(`/${kind}`);
  try {
    await api.del(`/${kind}/${id}`);
  } catch (err) {
    navigate(`/${kind}/${id}`);
    showToast({
      message: `${name} could not be deleted: ${err instanceof Error ? err.message : String(err)}`,
    });
    return;
  }
  showToast({
    message: `${name} deleted.`,
    actionLabel: 'Undo',
    action: () => api.post(`/${kind}/${id}/restore`),
  });
}
