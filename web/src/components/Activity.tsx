import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, download, isMissing, qs } from '../api';
import { formatDateTime } from '../hooks';
import { Field, Missing, SelectField } from './ui';

type Kind = 'follow-up' | 'task' | 'comment' | 'attachment';
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'follow-up', label: 'Follow-up' },
  { kind: 'task', label: 'Task' },
  { kind: 'comment', label: 'Comment' },
  { kind: 'attachment', label: 'File' },
];

export interface TimelineItem {
  type: string;
  at: string;
  [k: string]: unknown;
}

/** datetime-local gives local wall time without a zone; the API wants UTC ISO 8601. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export interface Names {
  status: (key: string) => string;
  user: (id: number) => string;
}

export function Activity({
  leadId,
  refresh,
  onChange,
  nextFollowUp,
  names,
}: {
  leadId: number;
  refresh: number;
  onChange: () => void;
  nextFollowUp: string | null;
  names: Names;
}) {
  const [kind, setKind] = useState<Kind>('follow-up');
  const [form, setForm] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [items, setItems] = useState<TimelineItem[] | null>(null);
  const [timelineMissing, setTimelineMissing] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    api.get<{ data: TimelineItem[] }>(`/leads/${leadId}/timeline${qs({ limit: 50 })}`).then(
      (r) => live && setItems(r.data),
      (e) => {
        if (!live) return;
        setTimelineMissing(isMissing(e));
        setItems([]);
      },
    );
    return () => {
      live = false;
    };
  }, [leadId, refresh, tick]);

  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      if (kind === 'follow-up') {
        await api.post(`/leads/${leadId}/follow-ups`, {
          ...(form.scheduled_at ? { scheduled_at: toIso(form.scheduled_at) } : {}),
          ...(form.done === 'yes' ? { done_at: new Date().toISOString() } : {}),
          ...(form.notes ? { notes: form.notes } : {}),
          ...(form.done === 'yes' && form.next ? { next_follow_up_at: toIso(form.next) } : {}),
        });
      } else if (kind === 'task') {
        await api.post(`/leads/${leadId}/tasks`, {
          title: form.title ?? '',
          type: form.type || 'call',
          ...(form.due_at ? { due_at: toIso(form.due_at) } : {}),
        });
      } else if (kind === 'comment') {
        await api.post(`/leads/${leadId}/comments`, { body: form.body ?? '' });
      } else {
        const fd = new FormData();
        if (file) fd.append('file', file);
        await api.post(`/leads/${leadId}/attachments`, fd);
        setFile(null);
      }
      setForm({});
      setTick((t) => t + 1);
      onChange();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const fields = error?.fields ?? {};

  return (
    <div className="card activity">
      <h2>Activity</h2>
      {nextFollowUp && <p className="muted">Next follow-up: {formatDateTime(nextFollowUp)}</p>}
      <div className="segmented" role="group" aria-label="Add to this lead">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            aria-pressed={kind === k.kind}
            onClick={() => (setKind(k.kind), setError(null))}
          >
            {k.label}
          </button>
        ))}
      </div>
      <form onSubmit={submit} className="stack" noValidate aria-label={`Add ${kind}`}>
        {kind === 'follow-up' && (
          <>
            <Field
              label="When"
              type="datetime-local"
              value={form.scheduled_at ?? ''}
              onChange={set('scheduled_at')}
              error={fields.scheduled_at}
            />
            <SelectField
              label="Already done?"
              value={form.done ?? 'no'}
              onChange={set('done')}
              error={fields.done_at}
            >
              <option value="no">No, planned</option>
              <option value="yes">Yes, just now</option>
            </SelectField>
            <Field label="Notes" value={form.notes ?? ''} onChange={set('notes')} error={fields.notes} />
            {form.done === 'yes' && (
              <Field
                label="Next follow-up"
                type="datetime-local"
                value={form.next ?? ''}
                onChange={set('next')}
                error={fields.next_follow_up_at}
              />
            )}
          </>
        )}
        {kind === 'task' && (
          <>
            <Field label="Title" value={form.title ?? ''} onChange={set('title')} error={fields.title} />
            <SelectField label="Type" value={form.type ?? 'call'} onChange={set('type')} error={fields.type}>
              {['call', 'meeting', 'email', 'appointment', 'todo'].map((t) => (
                <option key={t}>{t}</option>
              ))}
            </SelectField>
            <Field
              label="Due"
              type="datetime-local"
              value={form.due_at ?? ''}
              onChange={set('due_at')}
              error={fields.due_at}
            />
          </>
        )}
        {kind === 'comment' && (
          <div className={`field${fields.body ? ' has-error' : ''}`}>
            <label htmlFor="comment-body">Comment</label>
            <textarea
              id="comment-body"
              rows={3}
              value={form.body ?? ''}
              onChange={set('body')}
              aria-invalid={!!fields.body}
            />
            {fields.body && (
              <small className="error" role="alert">
                {fields.body}
              </small>
            )}
          </div>
        )}
        {kind === 'attachment' && (
          <div className="field">
            <label htmlFor="attach-file">File</label>
            <input id="attach-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
        )}
        {error && !Object.keys(fields).length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Add {KINDS.find((k) => k.kind === kind)!.label.toLowerCase()}
          </button>
        </div>
      </form>
      <h3>Timeline</h3>
      {timelineMissing ? (
        <Missing what="The timeline" endpoint={`GET /api/v1/leads/${leadId}/timeline`} />
      ) : (
        <ol className="timeline" aria-label="Timeline">
          {(items ?? []).map((it, i) => (
            <TimelineEntry
              key={`${it.type}-${String(it.id ?? i)}-${it.at}`}
              item={it}
              names={names}
              onDone={() => {
                setTick((t) => t + 1);
                onChange();
              }}
            />
          ))}
          {items && items.length === 0 && <li className="muted">Nothing yet.</li>}
        </ol>
      )}
    </div>
  );
}

function describe(it: TimelineItem, names: Names): string {
  const d = (it.data ?? it) as Record<string, unknown>;
  const s = (v: unknown) =>
    v === null || v === undefined || v === '' ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof it.summary === 'string') return it.summary;
  switch (it.type) {
    case 'status_change':
    case 'status':
      return `Status ${d.from ? names.status(s(d.from)) : '—'} → ${names.status(s(d.to))}${d.sub_status ? ` (${s(d.sub_status)})` : ''}${
        d.reason ? `, reason: ${s((d.reason as { text?: string }).text ?? d.reason)}` : ''
      }${d.note ? ` · ${s(d.note)}` : ''}`;
    case 'follow_up':
      return `Follow-up ${d.done_at ? 'done' : `planned for ${formatDateTime(s(d.scheduled_at))}`}${d.notes ? `: ${s(d.notes)}` : ''}`;
    case 'task':
      return `Task (${s(d.type)}): ${s(d.title)}${d.done ? ' (done)' : ''}`;
    case 'comment':
      return `Comment: ${s(d.body)}`;
    case 'attachment':
      return `File: ${s(d.filename)}`;
    case 'field_change':
      if (typeof d.field === 'string')
        return `${d.field.replace(/_/g, ' ')}: ${s(d.from) || '—'} → ${s(d.to) || '—'}`;
    // falls through
    case 'update': {
      const changes = (d.changes ?? d.fields) as
        | Record<string, { from: unknown; to: unknown }>
        | { field: string; from: unknown; to: unknown }[]
        | undefined;
      if (Array.isArray(changes))
        return `Changed ${changes.map((c) => `${c.field}: ${s(c.from) || '—'} → ${s(c.to) || '—'}`).join(', ')}`;
      if (changes)
        return `Changed ${Object.entries(changes)
          .map(([k, c]) => `${k}: ${s(c.from) || '—'} → ${s(c.to) || '—'}`)
          .join(', ')}`;
      return 'Fields changed';
    }
    case 'created':
      return `Lead created${d.status ? ` as ${names.status(s(d.status))}` : ''}${d.source ? ` from ${s(d.source)}` : ''}`;
    default:
      return it.type.replace(/_/g, ' ');
  }
}

function TimelineEntry({ item, names, onDone }: { item: TimelineItem; names: Names; onDone: () => void }) {
  const d = (item.data ?? item) as Record<string, unknown>;
  const by = typeof item.by === 'number' ? names.user(item.by) : null;
  // Planned follow-ups and open tasks can be ticked off from the timeline.
  const open =
    (item.type === 'task' && d.done === false) || (item.type === 'follow_up' && d.state === 'planned');
  const markDone = async () => {
    const path = item.type === 'task' ? 'tasks' : 'follow-ups';
    await api.patch(
      `/leads/${String(d.lead_id)}/${path}/${String(d.id)}`,
      item.type === 'task' ? { done: true } : { done_at: new Date().toISOString() },
    );
    onDone();
  };
  return (
    <li className={`tl tl-${item.type}`}>
      <span className="tl-text">{describe(item, names)}</span>
      <span className="muted tl-meta">
        {formatDateTime(item.at)}
        {by ? ` · ${by}` : ''}
      </span>
      {open && (
        <button type="button" className="link" onClick={() => void markDone()}>
          Mark done
        </button>
      )}
      {item.type === 'attachment' && typeof d.id === 'number' && (
        <button
          type="button"
          className="link"
          onClick={() =>
            void download(String(d.url ?? '').replace(/^\/api\/v1/, ''), String(d.filename ?? 'file'))
          }
        >
          Download
        </button>
      )}
    </li>
  );
}
