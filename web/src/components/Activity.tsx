import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, qs } from '../api';
import { formatDateTime } from '../hooks';
import { Field, SelectField } from './ui';
import { TimelineEntry } from './Timeline';

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
  statusById?: (id: number) => string | undefined;
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
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    api.get<{ data: TimelineItem[] }>(`/leads/${leadId}/timeline${qs({ limit: 50 })}`).then(
      (r) => live && setItems(r.data),
      (e: ApiError) => {
        if (!live) return;
        setError(e);
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
      {
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
      }
    </div>
  );
}
