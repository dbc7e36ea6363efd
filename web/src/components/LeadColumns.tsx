import type { ReactNode } from 'react';
import { formatDate, formatDateTime, formatMoney, leadName } from '../hooks';
import { Link } from '../router';
import type { CustomField, Lead, Status, User } from '../types';
import { COLUMNS, type Column } from './LeadTable';
import { valueLink } from './InlineField';
import './inline.css';

// The API sorts by these (GET /leads?sort=): status in pipeline order, owner by name, tags by the first tag.
const SORT_OF: Record<string, string> = {
  status: 'status',
  owner: 'owner',
  tags: 'tags',
  company: 'company_name',
  email: 'email',
  phone: 'phone',
  source: 'source',
  city: 'city',
  next_follow_up_at: 'next_follow_up_at',
};

/** The built-in columns, sortable where the API sorts, then one column per custom field (sorted as `cf.<key>`). */
export function allColumns(customFields: CustomField[]): Column[] {
  const base = COLUMNS.map((c) => ({
    ...c,
    sort: c.sort ?? SORT_OF[c.key],
    render:
      c.key === 'email'
        ? (l: Lead) => (l.email ? valueLink('email', l.email) : null)
        : c.key === 'phone'
          ? (l: Lead) => {
              const p = l.phone ?? l.mobile;
              return p ? valueLink('tel', p) : null;
            }
          : c.render,
  }));
  const custom = customFields.map<Column>((cf) => ({
    key: `cf.${cf.key}`,
    label: cf.label,
    sort: `cf.${cf.key}`,
    render: (l) => {
      const v = l.custom_fields[cf.key];
      if (v === null || v === undefined) return '';
      if (typeof v === 'boolean') return v ? 'Yes' : 'No';
      if (cf.type === 'date') return formatDate(String(v));
      if ((cf.type as string) === 'datetime') return formatDateTime(String(v));
      return String(v);
    },
  }));
  return [...base, ...custom];
}

/**
 * Which columns show and in what order (persisted in this browser): tick to show, move up or down to reorder.
 * Widths are changed on the table's headers.
 */
export function ColumnChooser({
  all,
  chosen,
  setChosen,
  onResetWidths,
}: {
  all: Column[];
  chosen: string[];
  setChosen: (keys: string[]) => void;
  onResetWidths: () => void;
}) {
  const shown = chosen.filter((k) => all.some((c) => c.key === k));
  const hidden = all.filter((c) => !shown.includes(c.key));
  const label = (k: string) => all.find((c) => c.key === k)?.label ?? k;
  const move = (i: number, by: number) => {
    const next = [...shown];
    const [k] = next.splice(i, 1);
    next.splice(i + by, 0, k);
    setChosen(next);
  };
  return (
    <details className="menu column-chooser">
      <summary>Columns</summary>
      <div className="chooser-body">
        <fieldset>
          <legend>Shown, in order</legend>
          <ol className="plain chooser-list">
            {shown.map((k, i) => (
              <li key={k}>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked
                    disabled={shown.length === 1}
                    onChange={() => setChosen(shown.filter((x) => x !== k))}
                  />
                  {label(k)}
                </label>
                <span className="chooser-moves">
                  <button
                    type="button"
                    className="small"
                    aria-label={`Move ${label(k)} left`}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="small"
                    aria-label={`Move ${label(k)} right`}
                    disabled={i === shown.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </button>
                </span>
              </li>
            ))}
          </ol>
        </fieldset>
        {hidden.length > 0 && (
          <fieldset>
            <legend>More columns</legend>
            {hidden.map((c) => (
              <label key={c.key} className="check-row">
                <input type="checkbox" checked={false} onChange={() => setChosen([...shown, c.key])} />
                {c.label}
              </label>
            ))}
          </fieldset>
        )}
        <button type="button" className="link" onClick={onResetWidths}>
          Reset column widths
        </button>
      </div>
    </details>
  );
}

/** On a phone the list is a column of cards: name, status, company, how to reach them, next follow-up. */
export function LeadCards({
  rows,
  statuses,
  users,
  more,
  onMore,
  loading,
  empty,
}: {
  empty?: ReactNode;
  rows: Lead[];
  statuses: Map<string, Status>;
  users: Map<number, User>;
  more: boolean;
  onMore: () => void;
  loading: boolean;
}) {
  return (
    <>
      <ul className="lead-cards" aria-label="Leads">
        {rows.map((l) => (
          <li key={l.id} className="lead-card-item">
            <div className="card-line">
              <Link to={`/leads/${l.id}`}>{leadName(l)}</Link>
              <span className={`pill cat-${l.status_category}`}>
                {statuses.get(l.status)?.label ?? l.status}
              </span>
            </div>
            {(l.company_name || l.value) && (
              <span className="muted">
                {[l.company_name, formatMoney(l.value, l.currency)].filter(Boolean).join(' · ')}
              </span>
            )}
            <span className="card-line">
              {l.email ? valueLink('email', l.email) : null}
              {l.phone || l.mobile ? valueLink('tel', (l.phone ?? l.mobile)!) : null}
            </span>
            {(l.next_follow_up_at || l.owner_id) && (
              <span className="muted">
                {l.next_follow_up_at ? `Follow up ${formatDateTime(l.next_follow_up_at)}` : ''}
                {l.next_follow_up_at && l.owner_id ? ' · ' : ''}
                {l.owner_id ? (users.get(l.owner_id)?.name ?? '') : ''}
              </span>
            )}
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Show more'}
        </button>
      )}
      {!loading && rows.length === 0 && empty}
    </>
  );
}
