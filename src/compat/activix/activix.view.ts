import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { TaskDto, CommentDto } from '../../activities/task.service.js';
import {
  VEHICLE_BOOLS,
  VEHICLE_DATES,
  VEHICLE_INTS,
  VEHICLE_MONEY,
  VEHICLE_TEXT,
} from '../../leads/lead-items.schema.js';
import type { OwnedFields } from '../shared/owned-fields.js';
import type { ActivixDeps } from './activix.deps.js';
import {
  INCLUDES,
  OWNED_DATES,
  OWNED_INTS,
  OWNED_TEXTS,
  SERVICE_BOOLS,
  SERVICE_DATES,
  UNSUBSCRIBE_DATES,
  USER_ROLES,
  type Include,
} from './activix.fields.js';

type Obj = Record<string, unknown>;
type LeadItem = NonNullable<LeadDto['items']>[number];
type Member = { id: number; email: string; name: string };

/** An instant as this API shows it: UTC, to the second, `+00:00` (Laravel's toIso8601String). */
export function renderTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** What the stored owned instants look like: UTC, to the second, `Z` (so ranges compare as text). */
export function storeTime(instant: string): string {
  return `${new Date(instant).toISOString().slice(0, 19)}Z`;
}

/** Task types shown as events (calendar entries); every other type is a task. */
export const EVENT_TYPES = ['appointment', 'event', 'meeting', 'delivery', 'road_test', 'visit', 'be_back'];

/** Everything a page of leads needs besides the leads: read once per request. */
export interface RenderContext {
  account: { id: number; name: string; time_zone: string | null; created_at: string };
  members: Map<number, Member>;
  tasks: Map<number, TaskDto[]>;
}

/** `include[]=emails&include[]=phones`, or `include=emails,phones`; unknown names are ignored. */
export function readIncludes(q: {
  'include[]'?: string | string[];
  include?: string | string[];
}): Set<Include> {
  const raw = [q['include[]'] ?? [], q.include ?? []].flat().flatMap((s) => s.split(','));
  return new Set(
    raw.map((s) => s.trim()).filter((s): s is Include => (INCLUDES as readonly string[]).includes(s)),
  );
}

export async function renderContext(
  deps: ActivixDeps,
  auth: AuthContext,
  leads: LeadDto[],
  inc: Set<Include>,
): Promise<RenderContext> {
  const account = await deps.organization(auth);
  const members = new Map<number, Member>();
  if (USER_ROLES.some((r) => inc.has(r))) {
    // Members are listed with settings:read; without it a user shows by id only.
    try {
      for (const m of (await deps.users.list(auth)).data) members.set(m.id, m);
    } catch {
      /* shown by id */
    }
  }
  const tasks = new Map<number, TaskDto[]>();
  if (inc.has('tasks') || inc.has('events'))
    for (const l of leads) tasks.set(l.id, await deps.tasks.listTasks(auth, l.id));
  return { account, members, tasks };
}

export function renderUser(id: number | null | undefined, members: Map<number, Member>): Obj | null {
  if (id == null) return null;
  const m = members.get(id);
  const [first, ...rest] = (m?.name ?? '').trim().split(/\s+/);
  return {
    id,
    email: m?.email ?? null,
    first_name: m ? first || null : null,
    last_name: m ? rest.join(' ') || null : null,
  };
}

export function renderEmail(leadId: number, e: NonNullable<LeadDto['emails']>[number]): Obj {
  return {
    id: e.id,
    lead_id: leadId,
    address: e.address,
    type: e.type,
    valid: e.valid,
    created_at: renderTime(e.created_at),
    updated_at: renderTime(e.updated_at),
  };
}

export function renderPhone(leadId: number, p: NonNullable<LeadDto['phones']>[number]): Obj {
  return {
    id: p.id,
    lead_id: leadId,
    number: p.number,
    extension: p.extension,
    type: p.type,
    mobile: p.type === 'mobile',
    valid: p.valid,
    created_at: renderTime(p.created_at),
    updated_at: renderTime(p.updated_at),
  };
}

export function renderVehicle(leadId: number, it: LeadItem): Obj {
  const v = (it.vehicle ?? {}) as Obj;
  const out: Obj = { id: it.id, lead_id: leadId, type: (v.intent as string | null) ?? 'wanted' };
  for (const k of Object.keys(VEHICLE_TEXT)) if (k !== 'intent') out[k] = v[k] ?? null;
  for (const k of [...VEHICLE_INTS, ...VEHICLE_BOOLS, ...VEHICLE_DATES, ...VEHICLE_MONEY])
    out[k] = v[k] ?? null;
  out.created_at = renderTime(it.created_at);
  out.updated_at = renderTime(it.updated_at);
  return out;
}

function renderProduct(leadId: number, it: LeadItem): Obj {
  return {
    id: it.id,
    lead_id: leadId,
    type: it.type,
    name: it.name,
    code: it.catalog_ref,
    quantity: it.quantity,
    price: it.price,
    currency: it.currency,
    comment: it.comment,
    created_at: renderTime(it.created_at),
    updated_at: renderTime(it.updated_at),
  };
}

export function renderTask(t: TaskDto, members: Map<number, Member> = new Map()): Obj {
  return {
    id: t.id,
    lead_id: t.lead_id,
    type: t.type,
    title: t.title,
    description: t.description,
    start_at: renderTime(t.start_at ?? t.due_at),
    end_at: renderTime(t.end_at),
    priority: t.priority,
    done: t.done,
    done_at: renderTime(t.done_at),
    canceled: t.canceled,
    confirmed: t.confirmed,
    no_show: t.no_show,
    owner: renderUser(t.assignee_id, members),
    created_at: renderTime(t.created_at),
    updated_at: renderTime(t.updated_at),
  };
}

export function renderNote(c: CommentDto): Obj {
  return {
    id: c.id,
    lead_id: c.lead_id,
    user_id: c.author_id,
    parent_id: c.parent_id,
    content: c.body,
    file_url: c.file_url,
    created_at: renderTime(c.created_at),
    updated_at: renderTime(c.updated_at),
  };
}

export function renderAccount(a: RenderContext['account']): Obj {
  return { id: a.id, name: a.name, time_zone: a.time_zone, created_at: renderTime(a.created_at) };
}

/** The core status as seed 000's `status` (which only names dead leads): null for a live lead. */
export function statusOf(l: LeadDto): string | null {
  if (l.status === 'duplicate' || l.status === 'invalid') return l.status;
  return l.status_category === 'lost' ? 'lost' : null;
}

/** One lead in the document's shape: every attribute present (null when blank), then the included objects. */
export function renderLead(l: LeadDto, fields: OwnedFields, ctx: RenderContext, inc: Set<Include>): Obj {
  const cf = l.custom_fields;
  const own = (k: string) => cf[fields.stored(k)] ?? null;
  const consent = (l.consent ?? {}) as Obj;
  const out: Obj = {
    id: l.id,
    account_id: ctx.account.id,
    customer_id: own('customer_id'),
    source_id: own('source_id'),
  };
  for (const k of OWNED_DATES) out[k] = renderTime(own(k) as string | null);
  out.birth_date = l.birth_date;
  out.created_at = renderTime(l.created_at);
  for (const [k, c] of Object.entries(UNSUBSCRIBE_DATES))
    out[k] = renderTime(consent[`${c}_at`] as string | null);
  out.updated_at = renderTime(l.updated_at);
  Object.assign(out, {
    address_line1: l.address.line1,
    address_line2: l.address.line2,
    city: l.address.city,
    civility: l.civility,
    country: l.address.country,
    created_method: own('created_method'),
    division: own('division'),
    first_name: l.first_name,
    gender: own('gender'),
    last_name: l.last_name,
    locale: l.locale,
    postal_code: l.address.postal_code,
    province: l.address.state,
    rating: l.rating,
    result: own('result'),
    second_contact: cf.second_contact ?? null,
    second_contact_civility: cf.second_contact_civility ?? null,
    segment: own('segment'),
    source: l.source,
    status: statusOf(l),
    type: own('type'),
  });
  for (const k of SERVICE_DATES) out[k] = renderTime(own(k) as string | null);
  for (const k of [...OWNED_INTS, ...OWNED_TEXTS, ...SERVICE_BOOLS])
    if (!(k in out) && !['customer_id', 'source_id'].includes(k)) out[k] = own(k);

  if (inc.has('account')) out.account = renderAccount(ctx.account);
  for (const role of USER_ROLES)
    if (inc.has(role)) out[role] = renderUser(l.users?.find((u) => u.role === role)?.user_id, ctx.members);
  const items = l.items ?? [];
  if (inc.has('emails'))
    out.emails = (l.emails ?? []).filter((e) => e.id !== null).map((e) => renderEmail(l.id, e));
  if (inc.has('phones'))
    out.phones = (l.phones ?? []).filter((p) => p.id !== null).map((p) => renderPhone(l.id, p));
  if (inc.has('vehicles'))
    out.vehicles = items.filter((i) => i.type === 'vehicle').map((i) => renderVehicle(l.id, i));
  if (inc.has('products'))
    out.products = items
      .filter((i) => i.type !== 'vehicle' && i.type !== 'competitor')
      .map((i) => renderProduct(l.id, i));
  const tasks = ctx.tasks.get(l.id) ?? [];
  if (inc.has('events'))
    out.events = tasks.filter((t) => EVENT_TYPES.includes(t.type)).map((t) => renderTask(t, ctx.members));
  if (inc.has('tasks'))
    out.tasks = tasks.filter((t) => !EVENT_TYPES.includes(t.type)).map((t) => renderTask(t, ctx.members));
  return out;
}
