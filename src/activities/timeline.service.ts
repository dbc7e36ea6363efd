import { AppError } from '../http/errors.js';
import { formatMoney } from '../lib/money.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { HistoryRepository } from '../pipeline/history.repository.js';
import type { StatusChangeService } from '../pipeline/status-change.service.js';
import { displayKey } from '../pipeline/status.repository.js';
import { TIMELINE_TYPES, type TimelineRepository, type TimelineType } from './timeline.repository.js';
import { toFollowUpResponse } from './follow-up.service.js';
import { toCommentResponse, toTaskResponse } from './task.service.js';
import { toAttachmentResponse } from './attachment.service.js';
import { defaultGuard, loadLead, type LeadGuard } from './lead-access.js';

export interface TimelineEntry {
  type: TimelineType;
  id: number;
  at: string;
  by: number | null;
  data: Record<string, unknown>;
}

const parse = (v: string | null) => (v === null ? null : (JSON.parse(v) as unknown));

// The change log stores column names; the timeline speaks the API's field names and formats.
const API_FIELD: Record<string, string> = {
  value_cents: 'value',
  address_line1: 'address.line1',
  address_line2: 'address.line2',
  city: 'address.city',
  state: 'address.state',
  postal_code: 'address.postal_code',
  country: 'address.country',
};

function apiFieldChange(field: string, from: unknown, to: unknown) {
  if (field === 'value_cents') {
    const money = (v: unknown) => (typeof v === 'number' ? formatMoney(v) : null);
    return { field: 'value', from: money(from), to: money(to) };
  }
  return { field: API_FIELD[field] ?? field, from, to };
}

export interface TimelineDeps {
  timeline: TimelineRepository;
  leads: LeadRepository;
  statuses: StatusRepository;
  history: HistoryRepository;
  changes: StatusChangeService;
  guard?: LeadGuard;
}

/** Everything that happened to a lead, merged and newest first. */
export function createTimelineService({
  timeline,
  leads,
  statuses,
  history,
  changes,
  ...deps
}: TimelineDeps) {
  const guard = deps.guard ?? defaultGuard(leads);
  return {
    async getTimeline(
      auth: AuthContext,
      leadId: number,
      q: { limit?: number; cursor?: string; types?: string },
    ) {
      await guard(auth, leadId, 'read');
      const lead = await loadLead(leads, auth.orgId, leadId);
      let kinds: readonly TimelineType[] = TIMELINE_TYPES;
      if (q.types !== undefined) {
        const wanted = q.types
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = wanted.filter((w) => !(TIMELINE_TYPES as readonly string[]).includes(w));
        if (bad.length || !wanted.length) {
          throw new AppError(
            'validation_failed',
            `types must be a comma-separated list of: ${TIMELINE_TYPES.join(', ')}`,
            [{ field: 'types', message: `unknown: ${bad.join(', ') || '(empty)'}` }],
          );
        }
        kinds = wanted as TimelineType[];
      }
      const limit = q.limit ?? 50;
      const c = q.cursor ? decodeCursor(q.cursor, `timeline:${kinds.join(',')}`) : undefined;
      // The cursor carries the last entry's time and type (v = "<at>|<type>") and id.
      const sep = c ? String(c.v).lastIndexOf('|') : -1;
      const after =
        c && sep > 0
          ? { at: String(c.v).slice(0, sep), kind: String(c.v).slice(sep + 1) as TimelineType, id: c.id }
          : undefined;
      const keys = await timeline.page(auth.orgId, leadId, kinds, limit + 1, after);
      const more = keys.length > limit;
      const page = more ? keys.slice(0, limit) : keys;
      const ids = (k: TimelineType) => page.filter((x) => x.kind === k).map((x) => x.id);

      const [fields, followUps, tasks, comments, files, hist, all] = await Promise.all([
        timeline.fieldChanges(auth.orgId, ids('field_change')),
        timeline.followUps(auth.orgId, ids('follow_up')),
        timeline.tasks(auth.orgId, ids('task')),
        timeline.comments(auth.orgId, ids('comment')),
        timeline.attachments(auth.orgId, ids('attachment')),
        history.byIds(auth.orgId, ids('status_change')),
        statuses.listAllByOrg(auth.orgId),
      ]);
      const entries = new Map<string, TimelineEntry>();
      const put = (
        type: TimelineType,
        id: number,
        at: string,
        by: number | null,
        data: Record<string, unknown>,
      ) => entries.set(`${type}:${id}`, { type, id, at, by, data });

      if (ids('created').length) {
        const st = all.find((s) => s.id === lead.status_id);
        const first = (await history.listForLead(auth.orgId, leadId, 1))[0];
        const initial = first ? all.find((s) => s.id === first.to_status_id) : st;
        put('created', lead.id, lead.created_at, lead.created_by, {
          status: initial ? displayKey(initial.key) : null,
          source: lead.source,
        });
      }
      for (const e of await changes.toEntries(auth.orgId, hist)) {
        const { id, at, by, ...rest } = e;
        put('status_change', id, at, by, rest);
      }
      for (const f of fields)
        put(
          'field_change',
          f.id,
          f.changed_at,
          f.changed_by,
          apiFieldChange(f.field, parse(f.old_value), parse(f.new_value)),
        );
      for (const f of followUps)
        put('follow_up', f.id, f.done_at ?? f.created_at, f.done_by ?? f.created_by, {
          ...toFollowUpResponse(f),
        });
      for (const t of tasks) put('task', t.id, t.created_at, t.created_by, { ...toTaskResponse(t) });
      for (const m of comments) put('comment', m.id, m.created_at, m.author_id, { ...toCommentResponse(m) });
      for (const a of files)
        put('attachment', a.id, a.created_at, a.uploaded_by, { ...toAttachmentResponse(a) });

      const data = page.map((k) => entries.get(`${k.kind}:${k.id}`)).filter((x): x is TimelineEntry => !!x);
      const last = page[page.length - 1];
      return {
        data,
        next_cursor:
          more && last
            ? encodeCursor({ s: `timeline:${kinds.join(',')}`, v: `${last.at}|${last.kind}`, id: last.id })
            : null,
      };
    },
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
