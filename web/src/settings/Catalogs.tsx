import { useState, type FormEvent, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api';
import { client, ok } from '../client';
import { staleTimeFor } from '../query';
import { navigate, useLocation } from '../router';
import { useStatuses } from '../hooks';
import { ErrorNote, Field, SelectField, Spinner, useConfirm } from '../components/ui';

// The simple catalogs of /api/v1 (src/catalogs): each is a list of named entries with an optional alternative code.
const KINDS = [
  { path: 'lead-sources', label: 'Lead sources', one: 'lead source' },
  { path: 'lead-categories', label: 'Lead categories', one: 'lead category' },
  { path: 'privacy-levels', label: 'Privacy levels', one: 'privacy level' },
  { path: 'importance-levels', label: 'Importance levels', one: 'importance level' },
  { path: 'priorities', label: 'Priorities', one: 'priority' },
  { path: 'product-categories', label: 'Product categories', one: 'product category' },
  { path: 'projects', label: 'Projects', one: 'project' },
] as const;
type SimplePath = (typeof KINDS)[number]['path'];

type Entry = { id: number; name: string; alternative_code: string | null; position?: number };
type LeadType = Entry & { default_status: string | null };

/** openapi-fetch wants literal paths; the seven catalogs share one shape, so they share one typed path. */
const listPath = (p: SimplePath) => `/api/v1/${p}` as '/api/v1/lead-sources';
const itemPath = (p: SimplePath) => `/api/v1/${p}/{id}` as '/api/v1/lead-sources/{id}';

export function CatalogSettings() {
  const { query } = useLocation();
  const kind = query.get('kind') ?? 'lead-types';
  return (
    <div className="stack">
      <h2>Catalogs</h2>
      <p className="muted">The lists a lead picks from. An entry that leads still use cannot be deleted.</p>
      <div className="field catalog-pick">
        <label htmlFor="catalog-kind">Catalog</label>
        <select
          id="catalog-kind"
          value={kind}
          onChange={(e) => navigate(`/settings/catalogs?kind=${e.target.value}`)}
        >
          <option value="lead-types">Lead types</option>
          {KINDS.map((k) => (
            <option key={k.path} value={k.path}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {kind === 'lead-types' ? (
        <LeadTypes />
      ) : (
        <SimpleCatalog key={kind} kind={KINDS.find((k) => k.path === kind) ?? KINDS[0]} />
      )}
    </div>
  );
}

function SimpleCatalog({ kind }: { kind: (typeof KINDS)[number] }) {
  const list = useQuery({
    queryKey: ['api', `/${kind.path}`],
    staleTime: staleTimeFor(kind.path),
    queryFn: ({ signal }) => ok(client.GET(listPath(kind.path), { signal })),
  });
  const entries: Entry[] = (list.data?.data ?? []).slice().sort((a, b) => a.position - b.position);
  return (
    <EntryEditor
      one={kind.one}
      entries={entries}
      loading={list.isPending}
      error={list.error}
      create={(body) => ok(client.POST(listPath(kind.path), { body }))}
      update={(id, body) => ok(client.PATCH(itemPath(kind.path), { params: { path: { id } }, body }))}
      remove={(id) => ok(client.DELETE(itemPath(kind.path), { params: { path: { id } } }))}
    />
  );
}

function LeadTypes() {
  const statuses = useStatuses();
  const list = useQuery({
    queryKey: ['api', '/lead-types'],
    staleTime: Infinity,
    queryFn: ({ signal }) => ok(client.GET('/api/v1/lead-types', { signal })),
  });
  return (
    <EntryEditor<LeadType>
      one="lead type"
      entries={list.data?.data ?? []}
      loading={list.isPending}
      error={list.error}
      create={(body) => ok(client.POST('/api/v1/lead-types', { body }))}
      update={(id, body) => ok(client.PATCH('/api/v1/lead-types/{id}', { params: { path: { id } }, body }))}
      remove={(id) => ok(client.DELETE('/api/v1/lead-types/{id}', { params: { path: { id } } }))}
      extra={(e, save) => (
        <SelectField
          label={`Default status of ${e.name}`}
          value={e.default_status ?? ''}
          onChange={(ev) => save({ default_status: ev.target.value || null })}
        >
          <option value="">The organization's default</option>
          {statuses.list.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </SelectField>
      )}
    />
  );
}

interface EditorProps<E extends Entry> {
  one: string;
  entries: E[];
  loading: boolean;
  error: unknown;
  create: (body: { name: string; alternative_code?: string | null }) => Promise<unknown>;
  update: (id: number, body: Record<string, unknown>) => Promise<unknown>;
  remove: (id: number) => Promise<unknown>;
  extra?: (e: E, save: (patch: Record<string, unknown>) => void) => ReactNode;
}

/** A catalog's entries, each renamed in place (saved on Enter or when the field is left), deleted after asking. */
function EntryEditor<E extends Entry>({
  one,
  entries,
  loading,
  error,
  create,
  update,
  remove,
  extra,
}: EditorProps<E>) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [rowError, setRowError] = useState<{ id: number; error: ApiError } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const confirm = useConfirm();

  async function add(e: FormEvent) {
    e.preventDefault();
    setAddError(null);
    try {
      await create({ name: name.trim(), alternative_code: code.trim() || null });
      setSaved(`Added ${name.trim()}.`);
      setName('');
      setCode('');
    } catch (err) {
      setAddError(err as ApiError);
    }
  }
  const save = (entry: E, patch: Record<string, unknown>) => {
    setRowError(null);
    update(entry.id, patch).then(
      () => setSaved(`Saved ${String(patch.name ?? entry.name)}.`),
      (err: ApiError) => setRowError({ id: entry.id, error: err }),
    );
  };
  const del = async (entry: E) => {
    if (!(await confirm.ask(`Delete the ${one} "${entry.name}"?`))) return;
    setRowError(null);
    remove(entry.id).then(
      () => setSaved(`Deleted ${entry.name}.`),
      (err: ApiError) => setRowError({ id: entry.id, error: err }),
    );
  };

  if (loading) return <Spinner />;
  return (
    <>
      <ErrorNote error={error} />
      <p className="sr-only" role="status">
        {saved}
      </p>
      {entries.length === 0 ? (
        <p className="empty card">No {one} yet: add the first one below.</p>
      ) : (
        <ul className="plain list-rows catalog-rows">
          {entries.map((e) => {
            const err = rowError?.id === e.id ? rowError.error : null;
            return (
              <li key={e.id}>
                <NameInput
                  label={`Name of ${e.name}`}
                  value={e.name}
                  error={err?.fields.name}
                  onSave={(v) => save(e, { name: v })}
                />
                <NameInput
                  label={`Alternative code of ${e.name}`}
                  value={e.alternative_code ?? ''}
                  error={err?.fields.alternative_code}
                  onSave={(v) => save(e, { alternative_code: v || null })}
                />
                {extra?.(e, (patch) => save(e, patch))}
                <button type="button" className="link danger" onClick={() => void del(e)}>
                  Delete<span className="sr-only"> {e.name}</span>
                </button>
                {err && !err.errors.length && (
                  <p className="alert span-row" role="alert">
                    {err.message}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <form className="card stack" onSubmit={add} noValidate aria-label={`Add a ${one}`}>
        <div className="form-grid">
          <Field
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={addError?.fields.name}
          />
          <Field
            label="Alternative code"
            hint="Optional: another key an integration knows it by"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={addError?.fields.alternative_code}
          />
        </div>
        <ErrorNote error={addError && !addError.errors.length ? addError : null} />
        <div className="actions">
          <button type="submit" className="primary">
            Add {one}
          </button>
        </div>
      </form>
      {confirm.dialog}
    </>
  );
}

/** Click-to-edit text: saved on Enter or blur when it changed; Escape puts the saved value back. */
function NameInput({
  label,
  value,
  error,
  onSave,
}: {
  label: string;
  value: string;
  error?: string;
  onSave: (v: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  const [base, setBase] = useState(value);
  if (value !== base) {
    setBase(value);
    setDraft(value);
  }
  const commit = () => {
    if (draft.trim() !== value) onSave(draft.trim());
  };
  return (
    <Field
      label={label}
      className="inline-edit"
      value={draft}
      error={error}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        }
        if (e.key === 'Escape') setDraft(value);
      }}
    />
  );
}
