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

export function BulkBar({
  selected,
  rows,
  statuses,
  reasons,
  users,
  onDone,
  trash,
}: {
  selected: Set<number>;
  rows: Lead[];
  statuses: Status[];
  reasons: Reason[];
  users: User[];
  onDone: () => void;
  /** The list shows the trash: the only action is to restore. */
  trash: boolean;
}) {
  const { me } = useSession();
  const [action, setAction] = useState<Action>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; errors: string[] } | null>(null);
  const [owner, setOwner] = useState('');
  const [tag, setTag] = useState('');
  const ids = [...selected];
  const byId = new Map(rows.map((r) => [r.id, r]));

  async function run(fn: (id: number) => Promise<unknown>) {
    setAction(null);
    setProgress({ done: 0, total: ids.length, errors: [] });
    const errors = await runAll(ids, fn, (done) => setProgress((p) => (p ? { ...p, done } : p)));
    setProgress({ done: ids.length, total: ids.length, errors });
    onDone();
  }
  const submitOwner = (e: FormEvent) => {
    e.preventDefault();
    void run((id) => api.patch(`/leads/${id}`, { owner_id: owner ? Number(owner) : null }));
  };
  const submitTag = (e: FormEvent) => {
    e.preventDefault();
    const t = tag.trim();
    if (!t) return;
    void run((id) => api.patch(`/leads/${id}`, { tags: [...new Set([...(byId.get(id)?.tags ?? []), t])] }));
  };
  const people = users.length ? users : me?.user ? [{ ...me.user }] : [];

  return (
    <>
      {selected.size > 0 && (
        <div className="bulkbar" role="region" aria-label="Bulk actions">
          <strong>{selected.size} selected</strong>
          {trash ? (
            <button type="button" onClick={() => void run((id) => api.post(`/leads/${id}/restore`))}>
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
        title={`Change status of ${selected.size} leads`}
        onCancel={() => setAction(null)}
        onApply={(change) => run((id) => changeStatus(id, change))}
      />
      <Dialog
        title={`Assign ${selected.size} leads`}
        open={action === 'owner'}
        onClose={() => setAction(null)}
      >
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
      <Dialog title={`Tag ${selected.size} leads`} open={action === 'tag'} onClose={() => setAction(null)}>
        <form onSubmit={submitTag} className="stack">
          <Field label="Tag" value={tag} onChange={(e) => setTag(e.target.value)} autoFocus />
          <div className="actions">
            <button type="submit" className="primary">
              Add tag
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog
        title={`Delete ${selected.size} leads?`}
        open={action === 'delete'}
        onClose={() => setAction(null)}
      >
        <p>Deleted leads go to the trash and can be restored.</p>
        <div className="actions">
          <button type="button" onClick={() => setAction(null)}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => void run((id) => api.del(`/leads/${id}`))}>
            Delete
          </button>
        </div>
      </Dialog>
    </>
  );
}
