import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import type { Lead, Reason, Status, User } from '../types';
import { changeStatus, StatusDialog } from './status';
import { Dialog, Field, SelectField } from './ui';

/** Runs one request per lead, four at a time; returns how many failed. */
async function runAll(
  ids: number[],
  fn: (id: number) => Promise<unknown>,
  onProgress: (done: number) => void,
): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await fn(id);
      } catch (e) {
        errors.push(`#${id}: ${(e as Error).message}`);
      }
      onProgress(++done);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return errors;
}

type Action = null | 'status' | 'owner' | 'tag' | 'delete';

interface BulkRefusal {
  id: number;
  code: string;
  message: string;
}
/** POST /leads/bulk: done at once (200), or a job to follow (202, GET /leads/bulk/{id}). */
type BulkAnswer =
  | { matched: number; changed: number; refused: BulkRefusal[] }
  | { id: number; status: string; total: number; done: number; changed: number; refused: BulkRefusal[] };

const NUMERIC = new Set(['owner_id', 'user_id', 'lead_type_id', 'score_gte']);
/** The list's query parameters as the bulk API's JSON filter (typed values, no sort, no empty values). */
function bulkFilter(params: Record<string, string>): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!v || k === 'sort' || k === 'deleted') continue;
    f[k] = k === 'include_converted' ? v === 'true' : NUMERIC.has(k) && /^\d+$/.test(v) ? Number(v) : v;
  }
  return f;
}
const refusals = (r: BulkRefusal[]) => r.map((x) => `#${x.id}: ${x.message}`);

export function BulkBar({
  selected,
  rows,
  statuses,
  reasons,
  users,
  onDone,
  trash,
  total,
  params,
  matching,
  setMatching,
}: {
  selected: Set<number>;
  rows: Lead[];
  statuses: Status[];
  reasons: Reason[];
  users: User[];
  onDone: () => void;
  /** The list shows the trash: the only action is to restore. */
  trash: boolean;
  /** How many leads match the list's filters (all of them, not only the loaded rows). */
  total: number | null;
  /** The list's query parameters: the filter of "all matching". */
  params: Record<string, string>;
  /** Every lead matching the filters is selected, not only the loaded rows. */
  matching: boolean;
  setMatching: (all: boolean) => void;
}) {
  const { me } = useSession();
  const [action, setAction] = useState<Action>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; errors: string[] } | null>(null);
  const [owner, setOwner] = useState('');
  const [tag, setTag] = useState('');
  const ids = [...selected];
  const byId = new Map(rows.map((r) => [r.id, r]));

  const all = matching && total !== null;
  const count = all ? total : selected.size;
  const canSelectAll =
    !all && total !== null && rows.length > 0 && rows.length < total && rows.every((r) => selected.has(r.id));

  /** All matching: one bulk request on the list's filter; a job (above 500 leads) is followed to its end. */
  async function runBulk(body: Record<string, unknown>) {
    setAction(null);
    setProgress({ done: 0, total: count, errors: [] });
    try {
      const r = await api.post<BulkAnswer>('/leads/bulk', { filter: bulkFilter(params), ...body });
      if ('matched' in r) {
        setProgress({ done: r.matched, total: r.matched, errors: refusals(r.refused) });
      } else {
        let job = r;
        while (job.status === 'queued' || job.status === 'running') {
          setProgress({ done: job.done, total: job.total, errors: refusals(job.refused) });
          await new Promise((ok) => setTimeout(ok, 500));
          job = await api.get<typeof job>(`/leads/bulk/${job.id}`);
        }
        const errors = refusals(job.refused);
        if (job.status === 'failed') errors.unshift('The bulk action stopped with an error.');
        setProgress({ done: job.total, total: job.total, errors });
      }
    } catch (e) {
      setProgress({ done: count, total: count, errors: [(e as Error).message] });
    }
    setMatching(false);
    onDone();
  }

  async function run(fn: (id: number) => Promise<unknown>) {
    setAction(null);
    setProgress({ done: 0, total: ids.length, errors: [] });
    const errors = await runAll(ids, fn, (done) => setProgress((p) => (p ? { ...p, done } : p)));
    setProgress({ done: ids.length, total: ids.length, errors });
    onDone();
  }
  const submitOwner = (e: FormEvent) => {
    e.preventDefault();
    const ownerId = owner ? Number(owner) : null;
    if (all) void runBulk({ action: 'owner', owner_id: ownerId });
    else void run((id) => api.patch(`/leads/${id}`, { owner_id: ownerId }));
  };
  const submitTag = (e: FormEvent) => {
    e.preventDefault();
    const t = tag.trim();
    if (!t) return;
    if (all) return void runBulk({ action: 'add_tags', tags: [t] });
    void run((id) => api.patch(`/leads/${id}`, { tags: [...new Set([...(byId.get(id)?.tags ?? []), t])] }));
  };
  const people = users.length ? users : me?.user ? [{ ...me.user }] : [];

  return (
    <>
      {selected.size > 0 && (
        <div className="bulkbar" role="region" aria-label="Bulk actions">
          <strong>
            {all ? `All ${count.toLocaleString()} matching selected` : `${selected.size} selected`}
          </strong>
          {canSelectAll && (
            <button type="button" className="link" onClick={() => setMatching(true)}>
              Select all {total.toLocaleString()} matching
            </button>
          )}
          {trash ? (
            <button
              type="button"
              onClick={() =>
                all ? void runBulk({ action: 'restore' }) : void run((id) => api.post(`/leads/${id}/restore`))
              }
            >
              Restore
            </button>
          ) : (
            <>
              <button type="button" onClick={() => setAction('status')} disabled={!statuses.length}>
                Change status
              </button>
              <button type="button" onClick={() => setAction('owner')}>
                Assign owner
              </button>
              <button type="button" onClick={() => setAction('tag')}>
                Add tag
              </button>
              <button type="button" className="danger" onClick={() => setAction('delete')}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
      {progress && (
        <div className="bulk-progress" role="status">
          <progress max={progress.total} value={progress.done} aria-label="Bulk action progress" />
          <span>
            {progress.done} / {progress.total} done
            {progress.errors.length ? `, ${progress.errors.length} failed` : ''}
          </span>
          {progress.errors.length > 0 && (
            <pre className="errors">{progress.errors.slice(0, 5).join('\n')}</pre>
          )}
          {progress.done === progress.total && (
            <button type="button" className="link" onClick={() => setProgress(null)}>
              Dismiss
            </button>
          )}
        </div>
      )}
      <StatusDialog
        target={action === 'status' ? (statuses[0] ?? null) : null}
        statuses={statuses}
        reasons={reasons}
        title={`Change status of ${count} leads`}
        onCancel={() => setAction(null)}
        onApply={(change) =>
          all
            ? runBulk({
                action: 'status',
                status: change.status,
                sub_status: change.sub_status,
                reason_id: change.reason_id,
              })
            : run((id) => changeStatus(id, change))
        }
      />
      <Dialog title={`Assign ${count} leads`} open={action === 'owner'} onClose={() => setAction(null)}>
        <form onSubmit={submitOwner} className="stack">
          <SelectField label="Owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="">Nobody</option>
            {people.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </SelectField>
          <div className="actions">
            <button type="submit" className="primary">
              Assign
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog title={`Tag ${count} leads`} open={action === 'tag'} onClose={() => setAction(null)}>
        <form onSubmit={submitTag} className="stack">
          <Field label="Tag" value={tag} onChange={(e) => setTag(e.target.value)} autoFocus />
          <div className="actions">
            <button type="submit" className="primary">
              Add tag
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog title={`Delete ${count} leads?`} open={action === 'delete'} onClose={() => setAction(null)}>
        <p>Deleted leads go to the trash and can be restored.</p>
        <div className="actions">
          <button type="button" onClick={() => setAction(null)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() =>
              all ? void runBulk({ action: 'delete' }) : void run((id) => api.del(`/leads/${id}`))
            }
          >
            Delete
          </button>
        </div>
      </Dialog>
    </>
  );
}
