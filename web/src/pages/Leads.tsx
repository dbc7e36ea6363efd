import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, download, qs } from '../api';
import { useCustomFields, useDebounced, useReasons, useStatuses, useStored, useUsers } from '../hooks';
import type { Lead, Page } from '../types';
import { LeadTable } from '../components/LeadTable';
import { Link } from '../router';
import { allColumns, ColumnChooser, LeadCards } from '../components/LeadColumns';
import { BulkBar } from '../components/BulkBar';
import { NewLeadDialog } from '../components/NewLead';
import { ErrorNote } from '../components/ui';
import { SavedViews } from '../views/SavedViews';
import { LeadFilters, NO_FILTERS, type Filters } from '../components/LeadFilters';

const DEFAULT_SORT = '-created_at';
const DEFAULT_COLUMNS = ['name', 'company', 'email', 'status', 'source', 'value', 'score', 'created_at'];

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();

/** Filters a link brings (the dashboard's click-through): /leads?status=won&created_after=... */
function filtersFromUrl(search = location.search): {
  filters: Filters;
  extra: Record<string, string>;
  sort: string;
  q: string;
} {
  const u = new URLSearchParams(search);
  const day = (k: string, back = 0) => {
    const v = u.get(k);
    return v ? new Date(Date.parse(v) - back).toISOString().slice(0, 10) : '';
  };
  const cf: Record<string, string> = {};
  for (const [k, v] of u) if (k.startsWith('cf.')) cf[k.slice(3)] = v;
  const extra: Record<string, string> = {};
  for (const k of ['team_id', 'updated_after']) if (u.get(k)) extra[k] = u.get(k)!;
  return {
    filters: {
      ...NO_FILTERS,
      status: u.get('status') ?? '',
      source: u.get('source') ?? '',
      owner_id: u.get('owner_id') ?? '',
      tag: u.get('tag') ?? '',
      created_from: day('created_after'),
      created_to: day('created_before', 1),
      include_converted: u.get('include_converted') ?? '',
      deleted: u.get('deleted') === 'true' ? 'true' : '',
      cf,
    },
    extra,
    sort: u.get('sort') || DEFAULT_SORT,
    q: u.get('q') ?? '',
  };
}

/**
 * The list's query in the address bar (replacing the entry, so Back leaves the list): a reload, a bookmark or a
 * link pasted to a colleague opens the same filters, search and sort.
 */
function useQueryInUrl(params: Record<string, string>) {
  useEffect(() => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v && !(k === 'sort' && v === DEFAULT_SORT)) u.set(k, v);
    const want = u.toString() ? `${location.pathname}?${u.toString()}` : location.pathname;
    if (want !== `${location.pathname}${location.search}`) history.replaceState(history.state, '', want);
  }, [params]);
}

export function LeadsPage() {
  const statuses = useStatuses();
  const reasons = useReasons();
  const users = useUsers();
  const customFields = useCustomFields();
  const [fromUrl] = useState(filtersFromUrl);
  const [q, setQ] = useState(fromUrl.q);
  const [filters, setFilters] = useState<Filters>(fromUrl.filters);
  const [sort, setSort] = useState(fromUrl.sort);
  const [columns, setColumns] = useStored<string[]>('leadflow.columns', DEFAULT_COLUMNS);
  const [widths, setWidths] = useStored<Record<string, number>>('leadflow.columnWidths', {});
  const phone = usePhone();
  const [rows, setRows] = useState<Lead[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [matching, setMatching] = useState(false);
  const [creating, setCreating] = useState(false);
  const [showFilters, setShowFilters] = useState(false);
  const [tick, setTick] = useState(0);
  const search = useDebounced(q, 250);
  const inflight = useRef<AbortController | null>(null);

  const params = useMemo(() => {
    const p: Record<string, string> = {
      q: search.trim(),
      status: filters.status,
      source: filters.source,
      owner_id: filters.owner_id,
      tag: filters.tag,
      sort,
      ...fromUrl.extra,
    };
    if (filters.created_from) p.created_after = `${filters.created_from}T00:00:00.000Z`;
    if (filters.created_to) p.created_before = nextDay(filters.created_to);
    if (filters.include_converted) p.include_converted = 'true';
    if (filters.deleted) p.deleted = 'true';
    for (const [k, v] of Object.entries(filters.cf)) if (v) p[`cf.${k}`] = v;
    return p;
  }, [search, filters, sort, fromUrl]);
  useQueryInUrl(params);

  // A new query replaces the list; the request for the old one is cancelled so results never arrive out of order.
  useEffect(() => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    setLoading(true);
    setError(null);
    api.get<Page<Lead>>(`/leads${qs({ ...params, limit: 100, include_total: true })}`, ctl.signal).then(
      (page) => {
        setRows(page.data);
        setCursor(page.next_cursor);
        setTotal(page.total ?? null);
        setSelected(new Set());
        setMatching(false);
        setLoading(false);
      },
      (e: Error) => {
        if (e.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [params, tick]);

  const loadMore = useCallback(() => {
    if (!cursor || loading) return;
    setLoading(true);
    const ctl = new AbortController();
    inflight.current = ctl;
    api.get<Page<Lead>>(`/leads${qs({ ...params, limit: 200, cursor })}`, ctl.signal).then(
      (page) => {
        setRows((r) => r.concat(page.data));
        setCursor(page.next_cursor);
        setLoading(false);
      },
      (e: Error) => {
        if (e.name !== 'AbortError') setError(e);
        setLoading(false);
      },
    );
  }, [cursor, loading, params]);

  const statusMap = useMemo(() => new Map(statuses.list.map((s) => [s.key, s])), [statuses.list]);
  const userMap = useMemo(() => new Map(users.list.map((u) => [u.id, u])), [users.list]);
  const emptyState = (
    <LeadsEmpty
      filtered={
        JSON.stringify({ ...EMPTY_PARAMS, ...params }) !== JSON.stringify(EMPTY_PARAMS) || !!filters.deleted
      }
      onCreate={() => setCreating(true)}
    />
  );
  const everyColumn = useMemo(() => allColumns(customFields.list), [customFields.list]);
  // In the order the user chose (the column chooser reorders them).
  const shown = columns
    .map((k) => everyColumn.find((c) => c.key === k))
    .filter((c): c is (typeof everyColumn)[number] => !!c);

  // The export takes the same filters as the list (everything matching, not just the loaded rows).
  function exportAs(format: 'csv' | 'xlsx') {
    const { sort: _sort, ...filtersOnly } = params;
    download(`/leads/export${qs({ ...filtersOnly, format })}`, `leads.${format}`).catch(setError);
  }

  // A saved view holds the list's query parameters: read back as the filters a link would bring.
  function applyView(v: { filters: Record<string, string>; sort: string | null; columns: string[] }) {
    setFilters(filtersFromUrl(`?${new URLSearchParams(v.filters).toString()}`).filters);
    setShowFilters(true);
    if (v.columns.length) setColumns(v.columns);
    setSort(v.sort ?? DEFAULT_SORT);
    setQ(v.filters.q ?? '');
  }

  return (
    <section className="page leads-page" aria-labelledby="leads-h">
      <div className="page-head">
        <h1 id="leads-h">Leads</h1>
        <p className="muted" aria-live="polite">
          {total !== null ? `${total.toLocaleString()} ${total === 1 ? 'lead' : 'leads'}` : ''}
          {rows.length && total !== null && rows.length < total
            ? `, ${rows.length.toLocaleString()} loaded`
            : ''}
        </p>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New lead
        </button>
      </div>
      <div className="toolbar">
        <label className="search">
          <span className="sr-only">Search leads</span>
          <input
            type="search"
            placeholder="Search name, email, phone, company…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
        <SavedViews params={params} sort={sort} columns={columns} onApply={applyView} />
        <button type="button" onClick={() => exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => exportAs('xlsx')}>
          Export Excel
        </button>
        <ColumnChooser
          all={everyColumn}
          chosen={columns}
          setChosen={setColumns}
          onResetWidths={() => setWidths({})}
        />
      </div>
      <LeadFilters
        filters={filters}
        setFilters={setFilters}
        open={showFilters}
        setOpen={setShowFilters}
        statuses={statuses.list}
        users={users.list}
        customFields={customFields.list}
      />
      <ErrorNote error={error} />
      <BulkBar
        trash={!!filters.deleted}
        selected={selected}
        rows={rows}
        statuses={statuses.list}
        reasons={reasons.list}
        users={users.list}
        onDone={() => setTick((t) => t + 1)}
        total={total}
        params={params}
        matching={matching}
        setMatching={setMatching}
      />
      {phone ? (
        <LeadCards
          empty={emptyState}
          rows={rows}
          statuses={statusMap}
          users={userMap}
          more={!!cursor}
          onMore={loadMore}
          loading={loading}
        />
      ) : (
        <LeadTable
          empty={emptyState}
          widths={widths}
          onResize={(k, w) => setWidths({ ...widths, [k]: w })}
          rows={rows}
          columns={shown}
          sort={sort}
          onSort={setSort}
          selected={selected}
          onToggle={(id) => {
            const s = new Set(selected);
            if (s.has(id)) s.delete(id);
            else s.add(id);
            setSelected(s);
            setMatching(false);
          }}
          onToggleAll={() => {
            setSelected(rows.every((r) => selected.has(r.id)) ? new Set() : new Set(rows.map((r) => r.id)));
            setMatching(false);
          }}
          onNearEnd={loadMore}
          statuses={statusMap}
          users={userMap}
          loading={loading}
          queryKey={JSON.stringify(params)}
        />
      )}
      <NewLeadDialog open={creating} onClose={() => setCreating(false)} statuses={statuses.list} />
    </section>
  );
}

const EMPTY_PARAMS = { q: '', status: '', source: '', owner_id: '', tag: '', sort: DEFAULT_SORT };

/** An empty list says what to do next: no lead at all, or none matching the filters. */
function LeadsEmpty({ filtered, onCreate }: { filtered: boolean; onCreate: () => void }) {
  if (filtered) return <p className="empty">No leads match these filters or this search.</p>;
  return (
    <div className="empty">
      <p>
        <strong>No leads yet.</strong>
      </p>
      <p>
        <Link to="/import">Import a file</Link> (CSV or Excel),{' '}
        <button type="button" className="link" onClick={onCreate}>
          create a lead
        </button>{' '}
        or <Link to="/settings/web-to-lead">add a web form</Link> to your site.
      </p>
    </div>
  );
}

/** True on a phone-sized screen (the list shows cards there). */
function usePhone() {
  const q = '(max-width: 640px)';
  const [m, setM] = useState(() => window.matchMedia(q).matches);
  useEffect(() => {
    const mq = window.matchMedia(q);
    const on = () => setM(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return m;
}
