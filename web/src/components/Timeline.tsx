import type { ReactNode } from 'react';
import { api, download } from '../api';
import { formatDateTime } from '../hooks';
import { fieldLabel } from '../messages';
import type { Names, TimelineItem } from './Activity';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value as a person reads it: status and user names for ids, local times for instants, "—" for nothing. */
function show(field: string, v: unknown, names: Names): string {
  if (v === null || v === undefined || v === '') return '—';
  if ((field === 'status_id' || field === 'status') && typeof v === 'number')
    return names.statusById?.(v) ?? `status ${v}`;
  if (field === 'status' && typeof v === 'string') return names.status(v);
  if (/(^|_)(owner|user|assignee|created_by|updated_by)(_id)?$/.test(field) && typeof v === 'number')
    return names.user(v);
  if (typeof v === 'string' && ISO.test(v)) return formatDateTime(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length ? v.map(String).join(', ') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Field changes the timeline tells better elsewhere: a status change has its own entry (with names, reason
 * and note); the conversion time is that status change. */
const TOLD_ELSEWHERE = new Set(['status', 'status_id', 'converted_at', 'status_changed_at']);
export const hiddenChange = (it: TimelineItem) => {
  const d = (it.data ?? it) as Record<string, unknown>;
  return it.type === 'field_change' && typeof d.field === 'string' && TOLD_ELSEWHERE.has(d.field);
};

/** "added tag hot", "status: New → Qualified", "owner: Rex Rep → Mia Manager". */
export function describeFieldChange(field: string, from: unknown, to: unknown, names: Names): string {
  // Ids of things the timeline has no name for read as what happened, not as numbers.
  const isUser = /(^|_)(owner|user|assignee|created_by|updated_by)(_id)?$/.test(field);
  if (!isUser && field.endsWith('_id') && (typeof from === 'number' || typeof to === 'number')) {
    const what = fieldLabel(field).toLowerCase();
    if (from === null || from === undefined) return `Linked to a ${what}`;
    if (to === null || to === undefined) return `Unlinked from its ${what}`;
    return `${fieldLabel(field)} changed`;
  }
  if (Array.isArray(from) || Array.isArray(to)) {
    const a = (Array.isArray(from) ? from : []).map(String);
    const b = (Array.isArray(to) ? to : []).map(String);
    const noun = field === 'tags' ? 'tag' : fieldLabel(field).toLowerCase();
    const added = b.filter((x) => !a.includes(x));
    const removed = a.filter((x) => !b.includes(x));
    const parts = [
      ...(added.length ? [`added ${noun}${added.length > 1 ? 's' : ''} ${added.join(', ')}`] : []),
      ...(removed.length ? [`removed ${noun}${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`] : []),
    ];
    return parts.length ? parts.join('; ') : `${fieldLabel(field)} reordered`;
  }
  const label = field === 'status_id' ? 'Status' : fieldLabel(field);
  if (from === null || from === undefined || from === '') return `${label} set to ${show(field, to, names)}`;
  if (to === null || to === undefined || to === '')
    return `${label} cleared (was ${show(field, from, names)})`;
  return `${label}: ${show(field, from, names)} → ${show(field, to, names)}`;
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
      if (typeof d.field === 'string') return describeFieldChange(d.field, d.from, d.to, names);
    // falls through
    case 'update': {
      const changes = (d.changes ?? d.fields) as
        | Record<string, { from: unknown; to: unknown }>
        | { field: string; from: unknown; to: unknown }[]
        | undefined;
      if (Array.isArray(changes))
        return changes.map((c) => describeFieldChange(c.field, c.from, c.to, names)).join('; ');
      if (changes)
        return Object.entries(changes)
          .map(([k, c]) => describeFieldChange(k, c.from, c.to, names))
          .join('; ');
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
  context,
}: {
  item: TimelineItem;
  names: Names;
  onDone: () => void;
  /** Where it happened, when a timeline gathers several leads' (an account's). */
  context?: ReactNode;
}) {
  const d = (item.data ?? item) as Record<string, unknown>;
  if (hiddenChange(item)) return null;
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
        <time dateTime={item.at}>{formatDateTime(item.at)}</time>
        {by ? ` · ${by}` : ''}
        {context ? <> · on {context}</> : null}
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
