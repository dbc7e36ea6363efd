import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from '../router';
import { formatDate, formatDateTime, formatMoney, leadName } from '../hooks';
import type { Lead, Status, User } from '../types';
import { scoreColumn } from '../scoring/scoreColumn';

export interface Column {
  key: string;
  label: string;
  sort?: string;
  width?: string;
  render: (l: Lead, ctx: { statuses: Map<string, Status>; users: Map<number, User> }) => ReactNode;
}

export const COLUMNS: Column[] = [
  {
    key: 'name',
    label: 'Name',
    sort: 'last_name',
    width: '14rem',
    render: (l) => <Link to={`/leads/${l.id}`}>{leadName(l)}</Link>,
  },
  { key: 'company', label: 'Company', render: (l) => l.company_name },
  { key: 'email', label: 'Email', render: (l) => l.email },
  { key: 'phone', label: 'Phone', render: (l) => l.phone ?? l.mobile },
  {
    key: 'status',
    label: 'Status',
    render: (l, c) => (
      <span className={`pill cat-${l.status_category}`}>{c.statuses.get(l.status)?.label ?? l.status}</span>
    ),
  },
  { key: 'source', label: 'Source', render: (l) => l.source },
  {
    key: 'owner',
    label: 'Owner',
    render: (l, c) => (l.owner_id ? (c.users.get(l.owner_id)?.name ?? `#${l.owner_id}`) : ''),
  },
  {
    key: 'value',
    label: 'Value',
    sort: 'value',
    width: '8rem',
    render: (l) => formatMoney(l.value, l.currency),
  },
  scoreColumn,
  { key: 'tags', label: 'Tags', render: (l) => l.tags.join(', ') },
  { key: 'city', label: 'City', render: (l) => l.address?.city },
  { key: 'next_follow_up_at', label: 'Next follow-up', render: (l) => formatDateTime(l.next_follow_up_at) },
  { key: 'created_at', label: 'Created', sort: 'created_at', render: (l) => formatDate(l.created_at) },
  { key: 'updated_at', label: 'Updated', sort: 'updated_at', render: (l) => formatDate(l.updated_at) },
];

const ROW = 40;
const OVERSCAN = 10;

/**
 * Only the rows in view are in the DOM (spacer rows stand for the rest), so scrolling through a hundred thousand
 * leads costs the same as scrolling through fifty; the next keyset page loads before the end is reached.
 */
export function LeadTable({
  rows,
  columns,
  sort,
  onSort,
  selected,
  onToggle,
  onToggleAll,
  onNearEnd,
  statuses,
  users,
  loading,
  queryKey,
  widths = {},
  onResize,
  empty,
}: {
  rows: Lead[];
  columns: Column[];
  sort: string;
  onSort: (s: string) => void;
  selected: Set<number>;
  onToggle: (id: number) => void;
  onToggleAll: () => void;
  onNearEnd: () => void;
  statuses: Map<string, Status>;
  users: Map<number, User>;
  loading: boolean;
  /** Changes with the query: a new result starts at the top. */
  queryKey: string;
  /** Column widths in px the user set by dragging a header's edge (or with the arrow keys on it). */
  widths?: Record<string, number>;
  onResize?: (key: string, width: number) => void;
  /** What an empty result shows (the next steps); a plain sentence by default. */
  empty?: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
    setScroll(0);
  }, [queryKey]);
  const first = Math.max(0, Math.floor(scroll / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scroll + height) / ROW) + OVERSCAN);
  useEffect(() => {
    if (rows.length && last >= rows.length - OVERSCAN) onNearEnd();
  }, [last, rows.length, onNearEnd]);

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const ctx = { statuses, users };
  return (
    <div
      className="table-box"
      ref={box}
      onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
      tabIndex={0}
      aria-label="Lead table"
    >
      <table className={`grid${Object.keys(widths).length ? ' fixed' : ''}`} aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th className="check">
              <input
                type="checkbox"
                aria-label="Select all loaded leads"
                checked={allSelected}
                onChange={onToggleAll}
              />
            </th>
            {columns.map((c) => {
              const dir = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : undefined;
              return (
                <th
                  key={c.key}
                  style={{ width: widths[c.key] ? `${widths[c.key]}px` : c.width }}
                  aria-sort={c.sort ? (dir ?? 'none') : undefined}
                  scope="col"
                >
                  {c.sort ? (
                    <button
                      type="button"
                      className="sort"
                      onClick={() => onSort(sort === `-${c.sort}` ? c.sort! : `-${c.sort}`)}
                    >
                      {c.label}
                      <span aria-hidden="true">
                        {dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                  {onResize && (
                    <ResizeHandle label={c.label} colKey={c.key} width={widths[c.key]} onResize={onResize} />
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr aria-hidden="true" style={{ height: first * ROW }} />}
          {rows.slice(first, last).map((l, i) => (
            <tr
              key={l.id}
              aria-rowindex={first + i + 2}
              className={selected.has(l.id) ? 'selected' : undefined}
              style={{ height: ROW }}
            >
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={`Select ${leadName(l)}`}
                  checked={selected.has(l.id)}
                  onChange={() => onToggle(l.id)}
                />
              </td>
              {columns.map((c) => (
                <td key={c.key}>{c.render(l, ctx)}</td>
              ))}
            </tr>
          ))}
          {last < rows.length && <tr aria-hidden="true" style={{ height: (rows.length - last) * ROW }} />}
        </tbody>
      </table>
      {!loading &&
        rows.length === 0 &&
        (empty ?? <p className="empty">No leads match. Create one or import a file.</p>)}
    </div>
  );
}

/** A header's right edge: drag it, or focus it and press the arrow keys, to change the column's width. */
function ResizeHandle({
  label,
  colKey,
  width,
  onResize,
}: {
  label: string;
  colKey: string;
  width?: number;
  onResize: (key: string, width: number) => void;
}) {
  const start = useRef<{ x: number; w: number } | null>(null);
  const current = (el: HTMLElement) => width ?? el.parentElement?.getBoundingClientRect().width ?? 150;
  const clamp = (w: number) => Math.round(Math.min(800, Math.max(60, w)));
  return (
    <span
      className="col-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Width of ${label}`}
      aria-valuemin={60}
      aria-valuemax={800}
      aria-valuenow={Math.round(width ?? 150)}
      tabIndex={0}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { x: e.clientX, w: current(e.currentTarget) };
      }}
      onPointerMove={(e) => {
        if (start.current) onResize(colKey, clamp(start.current.w + e.clientX - start.current.x));
      }}
      onPointerUp={() => (start.current = null)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        onResize(colKey, clamp(current(e.currentTarget) + (e.key === 'ArrowRight' ? 16 : -16)));
      }}
    />
  );
}
