import { useEffect, useMemo, useState, useSyncExternalStore, type DragEvent } from 'react';
import { api, qs } from '../api';
import { Link, navigate, useLocation } from '../router';
import {
  formatMoney,
  leadName,
  useApi,
  useDebounced,
  useReasons,
  useStatuses,
  useStored,
  useUsers,
} from '../hooks';
import type { Lead, Page, Status } from '../types';
import { changeStatus, needsDialog, StatusDialog, type StatusChange } from '../components/status';
import { Dialog, ErrorNote, Spinner } from '../components/ui';
import { ScoreBadge } from '../scoring/ScoreBadge';

const FILTERS = ['q', 'owner_id', 'team_id', 'source', 'tag'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

const phoneQuery = '(max-width: 760px)';
function useIsPhone() {
  return useSyncExternalStore(
    (cb) => {
      const m = window.matchMedia(phoneQuery);
      m.addEventListener('change', cb);
      return () => m.removeEventListener('change', cb);
    },
    () => window.matchMedia(phoneQuery).matches,
  );
}

const DAY = 86_400_000;
const daysIn = (since: string | null | undefined) =>
  since ? Math.max(0, Math.floor((Date.now() - new Date(since).getTime()) / DAY)) : null;
const shortWhen = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });

interface BoardRow {
  status: string;
  count: number;
  value: string;
  weighted_value: string;
}

interface Column {
  leads: Lead[];
  total: number;
}
const PER_COLUMN = 200;
const CLOSED = new Set(['won', 'lost', 'closed', 'converted']);

interface BulkRefusal {
  id: number;
  message: string;
}
/** POST /leads/bulk answers at once (200) or, above 500 leads, with a job to follow (202). */
type BulkAnswer =
  | { matched: number; changed: number; refused: BulkRefusal[] }
  | { id: number; status: string; total: number; done: number; changed: number; refused: BulkRefusal[] };

/** The board's filters as the bulk API's JSON filter (ids as numbers), narrowed to one column's status. */
function columnFilter(filters: Filters, status: string): Record<string, unknown> {
  const f: Record<string, unknown> = { status };
  for (const [k, v] of Object.entries(filters))
    if (v) f[k] = (k === 'owner_id' || k === 'team_id') && /^\d+$/.test(v) ? Number(v) : v;
  return f;
}

function sumValue(leads: Lead[]) {
  return leads.reduce((s, l) => s + (l.value ? Number(l.value) : 0), 0);
}

export function BoardPage() {
  const statuses = useStatuses();
  const reasons = useReasons();
  const users = useUsers();
  const teams = useApi<{ data: Array<{ id: number; name: string }> }>('/teams');
  const sources = useApi<{ data: Array<{ id: number; name: string }> }>('/lead-sources');
  const { query } = useLocation();
  const filters: Filters = useMemo(() => {
    const f: Filters = {};
    for (const k of FILTERS) if (query.get(k)) f[k] = query.get(k)!;
    return f;
  }, [query]);
  const filtered = Object.keys(filters).length > 0;
  const setFilter = (k: keyof Filters, v: string) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v);
    else next.delete(k);
    const str = next.toString();
    navigate(`/board${str ? `?${str}` : ''}`, true);
  };
  const [search, setSearch] = useState(filters.q ?? '');
  const debounced = useDebounced(search, 250);
  useEffect(() => {
    if ((filters.q ?? '') !== debounced) setFilter('q', debounced);
  }, [debounced]);
  const filterQs = qs(filters);
  const totals = useApi<{ data: BoardRow[] }>(`/reports/board${filterQs}`);
  const isPhone = useIsPhone();
  const [asking, setAsking] = useState<{ lead: Lead; to: Status } | null>(null);
  const [cols, setCols] = useState<Record<string, Column>>({});
  const [expanded, setExpanded] = useStored<string[]>('leadflow.board.expanded', []);
  const [pending, setPending] = useState<{ lead: Lead; to: Status } | null>(null);
  const [dragOver, setDragOver] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** A column's "Move all to…": every lead of the column (on the board's filters), by one bulk request. */
  const [moveAll, setMoveAll] = useState<{ from: Status; to: Status; count: number } | null>(null);
  const [moveAllReason, setMoveAllReason] = useState<{ from: Status; to: Status } | null>(null);
  const [bulkNote, setBulkNote] = useState<string | null>(null);

  useEffect(() => {
    if (!statuses.list.length) return;
    let live = true;
    // Statuses carry their live lead count, so empty columns cost no request.
    Promise.all(
      statuses.list.map((s) =>
        s.lead_count === 0
          ? ([s.key, { leads: [], total: 0 }] as const)
          : api
              .get<Page<Lead>>(
                `/leads${qs({ ...filters, status: s.key, limit: PER_COLUMN, include_total: true, sort: '-updated_at' })}`,
              )
              .then((p) => [s.key, { leads: p.data, total: p.total ?? p.data.length }] as const),
      ),
    ).then(
      (entries) => live && setCols(Object.fromEntries(entries)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [statuses.list, filters]);
  if (!statuses.list.length) return <Spinner />;

  async function move(lead: Lead, to: Status, viaDialog = false) {
    if (lead.status === to.key) return;
    if (!viaDialog && needsDialog(to)) return setPending({ lead, to });
    await changeStatus(lead.id, { status: to.key });
    statuses.reload();
    totals.reload();
  }
  async function moveColumn(from: Status, change: StatusChange) {
    setBulkNote(`Moving the leads of ${from.label}…`);
    let r = await api.post<BulkAnswer>('/leads/bulk', {
      filter: columnFilter(filters, from.key),
      action: 'status',
      status: change.status,
      sub_status: change.sub_status,
      reason_id: change.reason_id,
    });
    // Above 500 leads the server runs a job: follow it to its end.
    while ('status' in r && (r.status === 'queued' || r.status === 'running')) {
      setBulkNote(`Moving the leads of ${from.label}: ${r.done} of ${r.total}…`);
      await new Promise((ok) => setTimeout(ok, 500));
      r = await api.get<BulkAnswer>(`/leads/bulk/${r.id}`);
    }
    const refused = r.refused.length;
    const failed = 'status' in r && r.status === 'failed';
    setBulkNote(
      `Moved ${r.changed} ${r.changed === 1 ? 'lead' : 'leads'} from ${from.label}` +
        (refused ? `; ${refused} refused (${r.refused[0].message})` : '') +
        (failed ? '; the action stopped with an error' : '') +
        '.',
    );
    statuses.reload();
    totals.reload();
  }
  function onDrop(e: DragEvent, to: Status) {
    e.preventDefault();
    setDragOver(null);
    const id = Number(e.dataTransfer.getData('text/plain'));
    const lead = Object.values(cols)
      .flatMap((c) => c.leads)
      .find((l) => l.id === id);
    if (lead) move(lead, to).catch(setError);
  }

  const isCollapsed = (s: Status) => CLOSED.has(s.category) && !expanded.includes(s.key);
  // Won, lost and other closed statuses sit collapsed in a rail that stays in view, so a card can always be
  // dropped on them however far the open columns scroll.
  const userName = (id: number | null) =>
    id ? (users.list.find((u) => u.id === id)?.name ?? `user #${id}`) : null;
  const phoneKey = statuses.list.some((x) => x.key === query.get('column'))
    ? query.get('column')!
    : statuses.list[0]?.key;
  const renderColumn = (s: Status) => {
    const col = cols[s.key];
    const collapsed = isCollapsed(s) && !isPhone;
    const row = totals.data?.data.find((r) => r.status === s.key);
    // The report sums every lead of the column in the database; the loaded cards are the fallback.
    const sum = row ? Number(row.value) : col ? sumValue(col.leads) : 0;
    const partial = !row && col && col.total > col.leads.length;
    return (
      <section
        key={s.key}
        className={`column cat-${s.category}${collapsed ? ' collapsed' : ''}${dragOver === s.key ? ' over' : ''}`}
        aria-label={`${s.label}: ${col?.total ?? 0} leads`}
        data-status={s.key}
        onDragOver={(e) => {
          e.preventDefault();
          setDragOver(s.key);
        }}
        onDragLeave={() => setDragOver((d) => (d === s.key ? null : d))}
        onDrop={(e) => onDrop(e, s)}
      >
        <header>
          <h2>{s.label}</h2>
          <span className="count" aria-label="leads">
            {col?.total ?? '…'}
          </span>
          <span
            className="sum"
            title={partial ? `Sum of the ${col.leads.length} most recently updated` : 'Total value'}
          >
            {partial ? '≥ ' : ''}
            {formatMoney(sum)}
          </span>
          {row && (
            <span className="weighted" title="Value × probability">
              weighted {formatMoney(row.weighted_value)}
            </span>
          )}
          {!!col?.total && (
            <label className="move-all">
              <span className="sr-only">
                Move all {col.total} leads of {s.label} to
              </span>
              <select
                value=""
                onChange={(e) => {
                  const to = statuses.list.find((x) => x.key === e.target.value);
                  if (to) setMoveAll({ from: s, to, count: col.total });
                }}
              >
                <option value="">Move all to…</option>
                {statuses.list
                  .filter((x) => x.key !== s.key)
                  .map((x) => (
                    <option key={x.key} value={x.key}>
                      {x.label}
                    </option>
                  ))}
              </select>
            </label>
          )}
          {CLOSED.has(s.category) && !isPhone && (
            <button
              type="button"
              className="icon"
              aria-expanded={!collapsed}
              aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${s.label}`}
              onClick={() =>
                setExpanded(collapsed ? [...expanded, s.key] : expanded.filter((k) => k !== s.key))
              }
            >
              {collapsed ? '+' : '−'}
            </button>
          )}
        </header>
        {!collapsed && (
          <ul className="cards">
            {col?.leads.map((l) => (
              <li
                key={l.id}
                className="lead-card"
                draggable
                onDragStart={(e) => e.dataTransfer.setData('text/plain', String(l.id))}
                data-lead={l.id}
              >
                <Link to={`/leads/${l.id}`}>{leadName(l)}</Link>
                {l.company_name && <span className="muted">{l.company_name}</span>}
                {l.value && <span className="value">{formatMoney(l.value, l.currency)}</span>}
                <span className="card-meta">
                  <ScoreBadge score={l.score} />
                  <span>{userName(l.owner_id) ?? 'No owner'}</span>
                  {daysIn(l.status_changed_at) !== null && (
                    <span title="Days in this status">{daysIn(l.status_changed_at)} d here</span>
                  )}
                </span>
                <span
                  className={`card-next${l.next_follow_up_at && new Date(l.next_follow_up_at) < new Date() ? ' error' : ' muted'}`}
                >
                  {l.next_follow_up_at ? (
                    <>
                      Next: <time dateTime={l.next_follow_up_at}>{shortWhen(l.next_follow_up_at)}</time>
                    </>
                  ) : (
                    'No next step'
                  )}
                </span>
                <label className="move">
                  <span className="sr-only">Move {leadName(l)} to</span>
                  <select
                    value=""
                    onChange={(e) => {
                      // Arrow keys change a select at once: ask before moving.
                      const to = statuses.list.find((x) => x.key === e.target.value);
                      if (to) setAsking({ lead: l, to });
                    }}
                  >
                    <option value="">Move to…</option>
                    {statuses.list
                      .filter((x) => x.key !== s.key)
                      .map((x) => (
                        <option key={x.key} value={x.key}>
                          {x.label}
                        </option>
                      ))}
                  </select>
                </label>
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  };

  return (
    <section className="page board-page" aria-labelledby="board-h">
      <div className="page-head">
        <h1 id="board-h">Pipeline</h1>
        <p className="muted">Drag a card to another column, or use its “Move to” menu.</p>
      </div>
      <form
        className="filter-grid board-filters"
        aria-label="Board filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label>
          Owner
          <select value={filters.owner_id ?? ''} onChange={(e) => setFilter('owner_id', e.target.value)}>
            <option value="">Anyone</option>
            {users.list.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <select value={filters.team_id ?? ''} onChange={(e) => setFilter('team_id', e.target.value)}>
            <option value="">Any team</option>
            {(teams.data?.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <input
            list="board-sources"
            value={filters.source ?? ''}
            onChange={(e) => setFilter('source', e.target.value)}
          />
          <datalist id="board-sources">
            {(sources.data?.data ?? []).map((x) => (
              <option key={x.id} value={x.name} />
            ))}
          </datalist>
        </label>
        <label>
          Tag
          <input value={filters.tag ?? ''} onChange={(e) => setFilter('tag', e.target.value)} />
        </label>
        {filtered && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setSearch('');
              navigate('/board', true);
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <ErrorNote error={error} />
      {bulkNote && (
        <p className="bulk-note" role="status">
          {bulkNote}{' '}
          <button type="button" className="link" onClick={() => setBulkNote(null)}>
            Dismiss
          </button>
        </p>
      )}
      {isPhone ? (
        <div className="board-phone">
          <label className="inline-field">
            <span>Column</span>
            <select
              value={phoneKey}
              onChange={(e) => {
                const next = new URLSearchParams(query);
                next.set('column', e.target.value);
                navigate(`/board?${next.toString()}`, true);
              }}
            >
              {statuses.list.map((x) => (
                <option key={x.key} value={x.key}>
                  {x.label} ({cols[x.key]?.total ?? 0})
                </option>
              ))}
            </select>
          </label>
          {statuses.list.filter((x) => x.key === phoneKey).map(renderColumn)}
        </div>
      ) : (
        <div className="board-wrap">
          <div className="board">
            {statuses.list.filter((s) => !CLOSED.has(s.category)).map(renderColumn)}
          </div>
          <aside className="rail" aria-label="Closed statuses">
            {statuses.list.filter((s) => CLOSED.has(s.category)).map(renderColumn)}
          </aside>
        </div>
      )}
      <Dialog title="Move this lead?" open={!!asking} onClose={() => setAsking(null)}>
        {asking && (
          <div className="stack">
            <p>
              Move {leadName(asking.lead)} to {asking.to.label}?
            </p>
            <div className="actions">
              <button type="button" onClick={() => setAsking(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                autoFocus
                onClick={() => {
                  const a = asking;
                  setAsking(null);
                  move(a.lead, a.to).catch(setError);
                }}
              >
                Move to {asking.to.label}
              </button>
            </div>
          </div>
        )}
      </Dialog>
      <Dialog title="Move all these leads?" open={!!moveAll} onClose={() => setMoveAll(null)}>
        {moveAll && (
          <div className="stack">
            <p>
              Move all {moveAll.count} {moveAll.count === 1 ? 'lead' : 'leads'} of {moveAll.from.label}
              {filtered ? ' that match the filters' : ''} to {moveAll.to.label}?
            </p>
            <div className="actions">
              <button type="button" onClick={() => setMoveAll(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                autoFocus
                onClick={() => {
                  const m = moveAll;
                  setMoveAll(null);
                  if (needsDialog(m.to)) return setMoveAllReason({ from: m.from, to: m.to });
                  moveColumn(m.from, { status: m.to.key }).catch(setError);
                }}
              >
                Move all to {moveAll.to.label}
              </button>
            </div>
          </div>
        )}
      </Dialog>
      <StatusDialog
        target={moveAllReason?.to ?? null}
        statuses={statuses.list}
        reasons={reasons.list}
        title={
          moveAllReason ? `Move all of ${moveAllReason.from.label} to ${moveAllReason.to.label}` : undefined
        }
        onCancel={() => setMoveAllReason(null)}
        onApply={async (c) => {
          const from = moveAllReason!.from;
          setMoveAllReason(null);
          await moveColumn(from, c);
        }}
      />
      <StatusDialog
        target={pending?.to ?? null}
        statuses={statuses.list}
        reasons={reasons.list}
        title={pending ? `Move ${leadName(pending.lead)} to ${pending.to.label}` : undefined}
        onCancel={() => setPending(null)}
        onApply={async (c) => {
          await changeStatus(pending!.lead.id, c);
          setPending(null);
          statuses.reload();
          totals.reload();
        }}
      />
    </section>
  );
}
