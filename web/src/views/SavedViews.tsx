import { useMemo, useState } from 'react';
import { api, ApiError } from '../api';
import { useApi } from '../hooks';
import { Dialog, ErrorNote, Field, SelectField } from '../components/ui';

/** A saved view as GET /api/v1/views answers it. */
export interface SavedView {
  id: number;
  name: string;
  filters: Record<string, string>;
  sort: string | null;
  columns: string[];
  visibility: 'private' | 'organization' | 'team';
  team_id: number | null;
  owner_id: number;
  mine: boolean;
  can_edit: boolean;
}

const GROUPS: Array<[string, (v: SavedView) => boolean]> = [
  ['My views', (v) => v.mine && v.visibility === 'private'],
  ['Shared with my team', (v) => v.visibility === 'team'],
  ['Shared with everyone', (v) => v.visibility === 'organization'],
];

/**
 * Saved list views, kept by the server (/api/v1/views): a picker listing the user's own, their teams' and the
 * organization's views, and a dialog that saves the current filters, sort and columns, private or shared.
 * `params` are the list's query parameters (the filters the view keeps); paging and empty values are left out.
 */
export function SavedViews({
  params,
  sort,
  columns,
  onApply,
}: {
  params: Record<string, string>;
  sort: string;
  columns: string[];
  onApply: (view: SavedView) => void;
}) {
  const views = useApi<{ data: SavedView[] }>('/views');
  const teams = useApi<{ data: Array<{ id: number; name: string }> }>('/teams');
  const list = useMemo(() => views.data?.data ?? [], [views.data]);
  const [current, setCurrent] = useState<SavedView | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  function apply(id: string) {
    const v = list.find((x) => String(x.id) === id);
    if (!v) return;
    setCurrent(v);
    onApply(v);
  }
  async function remove() {
    if (!current) return;
    try {
      await api.del(`/views/${current.id}`);
      setCurrent(null);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      {list.length > 0 && (
        <label>
          <span className="sr-only">Saved view</span>
          <select value="" onChange={(e) => apply(e.target.value)}>
            <option value="">Saved views…</option>
            {GROUPS.map(([label, test]) => {
              const group = list.filter(test);
              return group.length ? (
                <optgroup key={label} label={label}>
                  {group.map((v) => (
                    <option key={v.id} value={v.id}>
                      {v.name}
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </label>
      )}
      <button type="button" onClick={() => setSaving(true)}>
        Save view
      </button>
      {current?.can_edit && (
        <button type="button" onClick={() => void remove()}>
          Delete view “{current.name}”
        </button>
      )}
      <ErrorNote error={error} />
      <Dialog title="Save this view" open={saving} onClose={() => setSaving(false)}>
        <SaveViewForm
          teams={teams.data?.data ?? []}
          onCancel={() => setSaving(false)}
          onSave={async (body) => {
            const filters = Object.fromEntries(
              Object.entries(params).filter(([k, v]) => v !== '' && k !== 'sort'),
            );
            const v = await api.post<SavedView>('/views', { ...body, filters, sort, columns });
            setCurrent(v);
            setSaving(false);
          }}
        />
      </Dialog>
    </>
  );
}

function SaveViewForm({
  teams,
  onSave,
  onCancel,
}: {
  teams: Array<{ id: number; name: string }>;
  onSave: (body: { name: string; visibility: string; team_id: number | null }) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState('private');
  const [teamId, setTeamId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const fieldError = (f: string) =>
    error instanceof ApiError ? error.errors.find((e) => e.field === f)?.message : undefined;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        onSave({
          name: name.trim(),
          visibility,
          team_id: visibility === 'team' && teamId ? Number(teamId) : null,
        }).catch(setError);
      }}
    >
      <Field
        label="Name of the view"
        value={name}
        autoFocus
        error={fieldError('name')}
        onChange={(e) => setName(e.target.value)}
      />
      <SelectField label="Shared with" value={visibility} onChange={(e) => setVisibility(e.target.value)}>
        <option value="private">Only me</option>
        <option value="team">A team</option>
        <option value="organization">Everyone in the organization</option>
      </SelectField>
      {visibility === 'team' && (
        <SelectField
          label="Team"
          value={teamId}
          error={fieldError('team_id')}
          onChange={(e) => setTeamId(e.target.value)}
        >
          <option value="">Choose a team…</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
      )}
      {!(error instanceof ApiError && error.errors.length) && <ErrorNote error={error} />}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!name.trim()}>
          Save
        </button>
      </div>
    </form>
  );
}
