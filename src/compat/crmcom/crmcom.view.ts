import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import { AppError } from '../../http/errors.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { CrmcomDeps } from './crmcom.deps.js';
import { UDFS } from './crmcom.fields.js';
import type { Named, Vocabulary } from './crmcom.vocabulary.js';

const named = (r: Named | undefined) =>
  r ? { id: String(r.id), name: r.name, alternative_code: r.alternative_code } : null;
const UOT: Record<string, string> = {
  minutes: 'MINUTES',
  hours: 'HOURS',
  days: 'DAYS',
  weeks: 'WEEKS',
  months: 'MONTHS',
  years: 'YEARS',
};

/** An item's identifier back as the one-key object it was sent as (`catalog_ref` keeps `key=value`). */
function itemOut(identKey: string, x: NonNullable<LeadDto['items']>[number]) {
  const ref = x.catalog_ref ?? (x.name !== null ? `name=${x.name}` : '');
  const i = ref.indexOf('=');
  const ident = i > 0 ? { [ref.slice(0, i)]: ref.slice(i + 1) } : { name: ref };
  return { [identKey]: ident, quantity: x.quantity !== null ? Number(x.quantity) : null, notes: x.comment };
}

/** Every field a lead answers with, in order: what `fields_set` may name. */
export const LEAD_FIELDS = [
  'id',
  'number',
  'description',
  'probability_to_win',
  'target_amount',
  'importance',
  'priority',
  'type',
  'status',
  'life_cycle_state',
  'category',
  'lost_reason',
  'owned_by_group',
  'privacy_level',
  'lead_owner',
  'assigned_to',
  'contact_information',
  'contact_email',
  'contact_phone',
  'accounts_receivable',
  'lead_source',
  ...UDFS,
  'start_date',
  'expected_completion_date',
  'estimated_completion_time',
  'competitors',
  'lead_users',
  'products',
  'services',
  'physical_goods',
  'subscription_package',
  'created_date',
  'updated_date',
] as const;

/** `fields_set` as a list of field names; a 422 naming it for an unknown name. */
export function fieldsSet(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(LEAD_FIELDS as readonly string[]).includes(n));
  if (unknown.length)
    throw new AppError('unprocessable', `fields_set: unknown field(s) ${unknown.join(', ')}`, [
      {
        field: 'fields_set',
        message: `unknown field(s) ${unknown.join(', ')} (fields: ${LEAD_FIELDS.join(', ')})`,
      },
    ]);
  return names;
}

/**
 * Leads in this API's shape, from the core's leads, their status history (the lost reason) and the
 * organization's catalogs (read once for the page). `fields` keeps only the named fields (and `id`).
 */
export async function renderLeads(
  deps: CrmcomDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  v: Vocabulary,
  leads: LeadDto[],
  fields: string[] | undefined,
  opts: TxOptions = {},
) {
  const views = await deps.view(auth, leads, { history: true }, opts);
  const [types, statuses, cats, sources, privacy, importance, groups, users] = await Promise.all([
    v.all('types'),
    v.all('statuses'),
    v.all('categories'),
    v.all('sources'),
    v.all('privacy_levels'),
    v.all('importance_levels'),
    v.all('groups'),
    v.all('users').catch(() => []),
  ]);
  const find = <T extends Named>(rows: T[], id: unknown) =>
    id === null || id === undefined ? undefined : rows.find((r) => String(r.id) === String(id));
  const user = (id: number | null | undefined) => {
    const u = find(users, id);
    return u ? { id: String(u.id), username: u.username, name: u.name } : id ? { id: String(id) } : null;
  };
  return views.map(({ lead: l, history }) => {
    const cf = l.custom_fields as Record<string, unknown>;
    const st = statuses.find((s) => s.key === l.status);
    const lastLost = [...history].reverse().find((h) => h.reason && h.to === l.status);
    const assignedId = kit.fields.read<number>(cf, 'assigned_user_id');
    const groupId = kit.fields.read<number>(cf, 'assigned_group_id');
    const assignees = (l.users ?? []).filter((u) => u.role === 'assignee').map((u) => u.user_id);
    const items = l.items ?? [];
    const level = find(importance, l.importance_level_id);
    const out: Record<string, unknown> = {
      id: String(l.id),
      number: String(l.id),
      description: l.description,
      probability_to_win: l.probability,
      target_amount: l.value !== null ? Number(l.value) : null,
      importance: level?.alternative_code ?? (l.importance ? `IMPORTANCE${l.importance}` : null),
      priority: l.priority !== null ? String(l.priority) : null,
      type: named(find(types, l.lead_type_id)),
      status: st
        ? {
            id: st.key,
            name: st.name,
            alternative_code: st.alternative_code,
            life_cycle_state: st.life_cycle_state,
          }
        : { id: l.status, name: l.status, alternative_code: l.status, life_cycle_state: null },
      life_cycle_state: st?.life_cycle_state ?? null,
      category: named(find(cats, l.category_id)),
      lost_reason:
        st?.life_cycle_state === 'LOST' && lastLost?.reason
          ? { id: String(lastLost.reason.id), name: lastLost.reason.text }
          : null,
      owned_by_group: named(find(groups, l.team_id)),
      privacy_level: named(find(privacy, l.privacy_level_id)),
      lead_owner: user(l.owner_id),
      assigned_to: {
        user: assignedId !== undefined ? user(assignedId) : null,
        group: groupId !== undefined ? named(find(groups, groupId)) : null,
      },
      contact_information: {
        id: l.contacts[0] ? String(l.contacts[0].id) : null,
        first_name: l.first_name,
        last_name: l.last_name,
        company_name: l.company_name,
        title: l.civility,
      },
      contact_email: l.email,
      contact_phone: l.phone ?? l.mobile,
      accounts_receivable: l.company ? { id: String(l.company.id), name: l.company.name } : null,
      lead_source: {
        source:
          named(find(sources, l.source_id)) ??
          (l.source ? { id: null, name: l.source, alternative_code: null } : null),
      },
      ...Object.fromEntries(UDFS.map((k) => [k, kit.fields.read(cf, k) ?? null])),
      start_date: l.created_at,
      expected_completion_date: l.expected_close_date,
      estimated_completion_time: l.estimated_completion
        ? {
            time_period_value: l.estimated_completion.value,
            time_period_uot: UOT[l.estimated_completion.unit],
          }
        : null,
      competitors: items.filter((x) => x.type === 'competitor').map((x) => itemOut('competitor', x)),
      lead_users: assignees.filter((u) => u !== assignedId).map((u) => ({ user: user(u) })),
      products: items.filter((x) => x.type === 'product').map((x) => itemOut('product', x)),
      services: items.filter((x) => x.type === 'service').map((x) => itemOut('service', x)),
      physical_goods: items.filter((x) => x.type === 'physical_good').map((x) => itemOut('physical_good', x)),
      subscription_package:
        items.filter((x) => x.type === 'subscription').map((x) => itemOut('subscription_package', x))[0] ??
        null,
      created_date: l.created_at,
      updated_date: l.updated_at,
    };
    if (!fields) return out;
    return Object.fromEntries(Object.entries(out).filter(([k]) => k === 'id' || fields.includes(k)));
  });
}
