import type { ChangeEvent } from 'react';
import { useApi } from '../hooks';
import type { CustomField, Status, User } from '../types';

export interface Filters {
  status: string;
  source: string;
  owner_id: string;
  tag: string;
  created_from: string;
  created_to: string;
  include_converted: string;
  deleted: string;
  cf: Record<string, string>;
}
export const NO_FILTERS: Filters = {
  status: '',
  source: '',
  owner_id: '',
  tag: '',
  created_from: '',
  created_to: '',
  include_converted: '',
  deleted: '',
  cf: {},
};

/** The filter panel of the lead list: every filter the list API takes. */
export function LeadFilters({
  filters,
  setFilters,
  open,
  setOpen,
  statuses,
  users,
  customFields,
}: {
  filters: Filters;
  setFilters: (f: Filters) => void;
  open: boolean;
  setOpen: (open: boolean) => void;
  statuses: Status[];
  users: User[];
  customFields: CustomField[];
}) {
  const tags = useApi<{ data: { tag: string; count: number }[] }>('/tags');
  const setF = (k: keyof Omit<Filters, 'cf'>) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setFilters({ ...filters, [k]: e.target.value });
  const active = Object.entries(filters).filter(([k, v]) =>
    k === 'cf' ? Object.values(v as object).some(Boolean) : v,
  ).length;
  return (
    <details className="filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Filters{active ? ` (${active})` : ''}</summary>
      <div className="filter-grid">
        <label>
          Status
          <select value={filters.status} onChange={setF('status')}>
            <option value="">Any</option>
            {statuses.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <input value={filters.source} onChange={setF('source')} list="lead-source-suggestions" />
          <SourceSuggestions id="lead-source-suggestions" />
        </label>
        <label>
          Owner
          {users.length ? (
            <select value={filters.owner_id} onChange={setF('owner_id')}>
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              inputMode="numeric"
              placeholder="user id"
              value={filters.owner_id}
              onChange={setF('owner_id')}
            />
          )}
        </label>
        <label>
          Tag
          <input value={filters.tag} onChange={setF('tag')} list="known-tags" />
          <datalist id="known-tags">
            {(tags.data?.data ?? []).map((t) => (
              <option key={t.tag} value={t.tag}>{`${t.tag} (${t.count})`}</option>
            ))}
          </datalist>
        </label>
        <label>
          Created from
          <input type="date" value={filters.created_from} onChange={setF('created_from')} />
        </label>
        <label>
          Created to
          <input type="date" value={filters.created_to} onChange={setF('created_to')} />
        </label>
        {customFields.map((cf) => (
          <label key={cf.key}>
            {cf.label}
            <input
              value={filters.cf[cf.key] ?? ''}
              onChange={(e) => setFilters({ ...filters, cf: { ...filters.cf, [cf.key]: e.target.value } })}
            />
          </label>
        ))}
        <label className="check-row">
          <input
            type="checkbox"
            checked={!!filters.include_converted}
            onChange={(e) => setFilters({ ...filters, include_converted: e.target.checked ? 'true' : '' })}
          />
          Include converted
        </label>
        <label className="check-row">
          <input
            type="checkbox"
            checked={!!filters.deleted}
            onChange={(e) => setFilters({ ...filters, deleted: e.target.checked ? 'true' : '' })}
          />
          Trash (deleted leads)
        </label>
        <button type="button" className="link" onClick={() => setFilters(NO_FILTERS)}>
          Clear filters
        </button>
      </div>
    </details>
  );
}

/** The organization's lead sources, offered as the source filter is typed (the filter ignores case). */
function SourceSuggestions({ id }: { id: string }) {
  const sources = useApi<{ data: Array<{ id: number; name: string }> }>('/lead-sources');
  return (
    <datalist id={id}>
      {(sources.data?.data ?? []).map((x) => (
        <option key={x.id} value={x.name} />
      ))}
    </datalist>
  );
}
