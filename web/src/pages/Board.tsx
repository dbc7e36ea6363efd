import { useEffect, useState, type DragEvent } from 'react';
import { api, qs } from '../api';
import { Link } from '../router';
import { formatMoney, leadName, useReasons, useStatuses, useStored } from '../hooks';
import type { Lead, Page, Status } from '../types';
import { changeStatus, needsDialog, StatusDialog } from '../components/status';
import { ErrorNote, Missing, Spinner } from '../components/ui';

interface Column {
  leads: Lead[];
  total: number;
}
const PER_COLUMN = 200;
const CLOSED = new Set(['won', 'lost', 'closed', 'converted']);

function sumValue(leads: Lead[]) {
  return leads.reduce((s, l) => s + (l.value ? Number(l.value) : 0), 0);
}

export function BoardPage() {
  const statuses = useStatuses();
  const reasons = useReasons();
  const [cols, setCols] = useState<Record<string, Column>>({});
  const [expanded, setExpanded] = useStored<string[]>('leadflow.board.expanded', []);
  const [pending, setPending] = useState<{ lead: Lead; to: Status } | null>(null);
  const [dragOver, setDragOver] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

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
                `/leads${qs({ status: s.key, limit: PER_COLUMN, include_total: true, sort: '-updated_at' })}`,
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
  }, [statuses.list]);

  if (statuses.missing) return <Missing what="The pipeline board" endpoint="GET /api/v1/statuses" />;
  if (!statuses.list.length) return <Spinner />;

  async function move(lead: Lead, to: Status, viaDialog = false) {
    if (lead.status === to.key) return;
    if (!viaDialog && needsDialog(to)) return setPending({ lead, to });
    await changeStatus(lead.id, { status: to.key });
    statuses.reload();
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
  const renderColumn = (s: Status) => {
    const col = cols[s.key];
    const collapsed = isCollapsed(s);
    const sum = col ? sumValue(col.leads) : 0;
    const partial = col && col.total > col.leads.length;
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
          {CLOSED.has(s.category) && (
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
                <label className="move">
                  <span className="sr-only">Move {leadName(l)} to</span>
                  <select
                    value=""
                    onChange={(e) =>
                      move(
                        l,
                        statuses.list.find((x) => x.key === e.target.value)!,
                      ).catch(setError)
                    }
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
      <ErrorNote error={error} />
      <div className="board-wrap">
        <div className="board">{statuses.list.filter((s) => !CLOSED.has(s.category)).map(renderColumn)}</div>
        <aside className="rail" aria-label="Closed statuses">
          {statuses.list.filter((s) => CLOSED.has(s.category)).map(renderColumn)}
        </aside>
      </div>
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
        }}
      />
    </section>
  );
}
