import { useState } from 'react';
import { useSession } from '../session';
import { Link, navigate, useLocation } from '../router';
import { leadName, useUsers } from '../hooks';
import { ErrorNote, Spinner } from '../components/ui';
import {
  bucketOf,
  followUpDone,
  rescheduleFollowUp,
  rescheduleTask,
  taskDone,
  tomorrowMorning,
  useMyDay,
  type Bucket,
} from '../myday/my-day';

const BUCKETS: Array<{ key: Bucket; label: string }> = [
  { key: 'overdue', label: 'Overdue' },
  { key: 'today', label: 'Today' },
  { key: 'week', label: 'Later this week' },
];

interface Row {
  key: string;
  kind: 'follow-up' | 'task';
  due: string;
  title: string;
  leadId: number | null;
  leadLabel: string | null;
  done: () => Promise<unknown>;
  tomorrow: () => Promise<unknown>;
}

const when = (iso: string, bucket: Bucket) =>
  new Date(iso).toLocaleString(
    undefined,
    bucket === 'today'
      ? { timeStyle: 'short' }
      : { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' },
  );

/** The signed-in user's follow-ups and tasks, overdue / today / this week; managers can look at a teammate's. */
export function MyDayPage() {
  const { me } = useSession();
  const { query } = useLocation();
  const manager = me?.role === 'owner' || me?.role === 'admin' || me?.role === 'manager';
  const picked = manager ? Number(query.get('user')) || undefined : undefined;
  const userId = picked ?? me?.user?.id;
  const users = useUsers();
  const day = useMyDay(userId);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const rows: Row[] = [
    ...day.followUps.map((f) => ({
      key: `f${f.lead.id}`,
      kind: 'follow-up' as const,
      due: f.due_at,
      title: 'Follow up',
      leadId: f.lead.id,
      leadLabel: leadName(f.lead),
      done: () => followUpDone(f.lead.id),
      tomorrow: () => rescheduleFollowUp(f.lead.id, tomorrowMorning()),
    })),
    ...day.tasks.map((t) => ({
      key: `t${t.id}`,
      kind: 'task' as const,
      due: t.due_at!,
      title: t.title,
      leadId: t.lead_id,
      leadLabel: t.lead_id ? `Lead #${t.lead_id}` : null,
      done: () => taskDone(t.id),
      tomorrow: () => rescheduleTask(t.id, tomorrowMorning()),
    })),
  ].sort((a, b) => a.due.localeCompare(b.due));

  const act = (row: Row, fn: () => Promise<unknown>) => {
    setBusy(row.key);
    setError(null);
    fn().then(
      () => setBusy(null),
      (e) => {
        setBusy(null);
        setError(e);
      },
    );
  };
  const now = new Date();
  const viewing = users.list.find((u) => u.id === userId);

  return (
    <section className="page" aria-labelledby="myday-h">
      <div className="page-head">
        <h1 id="myday-h">My day</h1>
        {manager && (
          <label className="inline-field">
            <span>Whose day</span>
            <select
              value={userId ?? ''}
              onChange={(e) =>
                navigate(
                  Number(e.target.value) === me?.user?.id ? '/my-day' : `/my-day?user=${e.target.value}`,
                )
              }
            >
              {users.list.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.id === me?.user?.id ? `${u.name} (me)` : u.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ErrorNote error={error ?? day.error} />
      {day.loading ? (
        <Spinner />
      ) : rows.length === 0 ? (
        <div className="empty card">
          <p>Nothing due this week{viewing && userId !== me?.user?.id ? ` for ${viewing.name}` : ''}.</p>
          <p>
            <Link to="/leads">Open the lead list</Link> to plan a follow-up, or{' '}
            <Link to="/import">import a file</Link>.
          </p>
        </div>
      ) : (
        BUCKETS.map((b) => {
          const list = rows.filter((r) => bucketOf(r.due, now) === b.key);
          if (!list.length) return null;
          return (
            <section key={b.key} className="card" aria-labelledby={`myday-${b.key}`}>
              <h2 id={`myday-${b.key}`}>
                {b.label} <span className="count">{list.length}</span>
              </h2>
              <ul className="plain list-rows myday-list">
                {list.map((r) => {
                  const what = `${r.kind === 'task' ? r.title : 'Follow-up'}${r.leadLabel ? ` with ${r.leadLabel}` : ''}`;
                  return (
                    <li key={r.key}>
                      <div>
                        <span className={`kind kind-${r.kind}`}>
                          {r.kind === 'task' ? 'Task' : 'Follow-up'}
                        </span>{' '}
                        {r.kind === 'task' && <strong>{r.title} </strong>}
                        {r.leadId && <Link to={`/leads/${r.leadId}`}>{r.leadLabel}</Link>}
                        <div className={b.key === 'overdue' ? 'error' : 'muted'}>
                          <time dateTime={r.due}>{when(r.due, b.key)}</time>
                        </div>
                      </div>
                      <button
                        type="button"
                        className="primary"
                        disabled={busy === r.key}
                        aria-label={`Done: ${what}`}
                        onClick={() => act(r, r.done)}
                      >
                        Done
                      </button>
                      <button
                        type="button"
                        disabled={busy === r.key}
                        aria-label={`Move to tomorrow: ${what}`}
                        onClick={() => act(r, r.tomorrow)}
                      >
                        Tomorrow
                      </button>
                    </li>
                  );
                })}
              </ul>
            </section>
          );
        })
      )}
    </section>
  );
}
