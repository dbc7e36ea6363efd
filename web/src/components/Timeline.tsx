import { api, download } from '../api';
import { formatDateTime } from '../hooks';
import type { Names, TimelineItem } from './Activity';

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

export function TimelineEntry({
  item,
  names,
  onDone,
}: {
  item: TimelineItem;
  names: Names;
  onDone: () => void;
}) {
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
