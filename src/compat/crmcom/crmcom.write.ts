import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import { estimateFor, type CompletionUnit } from '../../catalogs/estimated-completion.js';
import { AppError, type FieldError } from '../../http/errors.js';
import type { FieldFaults } from '../shared/fields.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { CrmcomDeps } from './crmcom.deps.js';
import type { IdentifierT, LeadFieldsT, UpdateBodyT } from './crmcom.schema.js';
import { UDF_DATES, UDF_FLOATS, UDF_STRINGS } from './crmcom.fields.js';
import { vocabulary, type Vocabulary } from './crmcom.vocabulary.js';

type Input = Record<string, unknown>;
const given = (v: unknown) => v !== undefined;
const DAY = /^(\d{4})-(\d{2})-(\d{2})(T.*)?$/;

/** A date parameter as `YYYY-MM-DD` (a date-time keeps its date); a fault when it is not one. */
function dateOf(faults: FieldFaults, field: string, v: string): string | undefined {
  const m = DAY.exec(v.trim());
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  if (!m || !d || d.getUTCMonth() !== +m[2] - 1) {
    faults.add(field, 'must be a date "YYYY-MM-DD" (or "YYYY-MM-DDThh:mm:ss")');
    return undefined;
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** The lead this request names: `{"id"}` or `{"number"}` (both the lead's id). */
export async function findLead(
  deps: CrmcomDeps,
  auth: AuthContext,
  ident: IdentifierT,
  opts: TxOptions = {},
): Promise<LeadDto> {
  const [key, raw] = Object.entries(ident)[0];
  if (key !== 'id' && key !== 'number')
    throw new AppError('unprocessable', 'lead_identifier: a lead is identified by id or number', [
      { field: 'lead_identifier', message: `a lead is identified by id or number (not ${key})` },
    ]);
  const id = Number(String(raw).trim());
  if (!Number.isInteger(id) || id < 1 || id > 2147483647)
    throw new AppError('not_found', `No lead has ${key} "${String(raw)}".`);
  return deps.leads.get(auth, id, opts);
}

/** The seed's `importance` and `priority` onto the importance catalog and the priority column. */
async function importanceAndPriority(v: Vocabulary, body: Input, faults: FieldFaults, set: Input) {
  if (body.importance === null) {
    set.importance_level_id = null;
    set.importance = null;
  } else if (typeof body.importance === 'string') {
    const level = await v.resolve(
      'importance_levels',
      { alternative_code: body.importance },
      faults,
      'importance',
    );
    if (level) {
      set.importance_level_id = level.id;
      const n = /^IMPORTANCE([1-5])$/i.exec(body.importance);
      set.importance = n ? Number(n[1]) : null;
    }
  }
  if (body.priority === null) set.priority = null;
  else if (body.priority !== undefined) {
    const p = Number(body.priority);
    if (!Number.isInteger(p) || p < 1 || p > 6) faults.add('priority', 'must be one of 1, 2, 3, 4, 5, 6');
    else set.priority = p;
  }
}

const UNIT: Record<string, CompletionUnit> = {
  MINUTES: 'minutes',
  HOURS: 'hours',
  DAYS: 'days',
  WEEKS: 'weeks',
  MONTHS: 'months',
  YEARS: 'years',
};

/** An item parameter (`{ product_identifier: {...}, quantity, notes }`) as a core lead item. */
function item(type: string, identKey: string, x: Record<string, unknown>) {
  const ident = x[identKey] as IdentifierT;
  const [k, val] = Object.entries(ident)[0];
  return {
    type,
    name: k === 'name' ? String(val) : null,
    catalog_ref: `${k}=${String(val)}`,
    ...(x.quantity !== undefined ? { quantity: x.quantity as number } : {}),
    ...(x.notes !== undefined ? { comment: x.notes as string | null } : {}),
  };
}
const ITEM_PARAMS = [
  ['competitors_set', 'competitor', 'competitor_identifier'],
  ['products_set', 'product', 'product_identifier'],
  ['services_set', 'service', 'service_identifier'],
  ['physical_goods_set', 'physical_good', 'physical_good_identifier'],
] as const;

/**
 * Translates the seed's lead parameters into a core lead write, collecting every fault with the caller's
 * parameter names. `current` is the lead being updated (absent on create). The lead type's rules, the lost
 * reason and the lock are the core's (catalogs, status rules), applied by leads.create / leads.update.
 */
export async function translate(
  deps: CrmcomDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  v: Vocabulary,
  body: LeadFieldsT & Input,
  faults: FieldFaults,
  current?: LeadDto,
): Promise<{ input: Input; at?: string }> {
  const set: Input = {};
  const creating = current === undefined;
  if (creating)
    for (const p of ['type_identifier', 'importance', 'priority', 'contact_information', 'lead_source'])
      if (body[p] === undefined || body[p] === null) faults.add(p, 'is mandatory');

  // Catalog identifiers.
  const type = await v.resolve('types', body.type_identifier, faults, 'type_identifier');
  if (type) set.lead_type_id = type.id;
  else if (body.type_identifier === null && !creating) faults.add('type_identifier', 'is mandatory');
  const status = await v.resolve('statuses', body.status_identifier, faults, 'status_identifier');
  if (status) set.status = status.key;
  const reason = await v.resolve('reasons', body.lost_reason_identifier, faults, 'lost_reason_identifier');
  if (reason) {
    // "Applicable only if the lead is in a status classified as lost": the status given, else the current one.
    const target = status ?? (current ? await v.byId('statuses', current.status) : undefined);
    const typeDefault = type?.core.default_status
      ? await v.byId('statuses', type.core.default_status)
      : undefined;
    const lifecycle = (target ?? typeDefault)?.life_cycle_state;
    if (lifecycle !== 'LOST')
      faults.add('lost_reason_identifier', 'applies only to a status whose life cycle state is LOST');
    else set.reason_id = reason.id;
  }
  for (const [param, kind, col] of [
    ['category_identifier', 'categories', 'category_id'],
    ['privacy_level_identifier', 'privacy_levels', 'privacy_level_id'],
    ['owned_by_group_identifier', 'groups', 'team_id'],
    ['lead_owner', 'users', 'owner_id'],
  ] as const) {
    if (body[param] === null) set[col] = null;
    const r = await v.resolve(kind, body[param], faults, param);
    if (r) set[col] = r.id;
  }
  if (body.lead_source === null) {
    set.source_id = null;
    set.source = null;
  } else if (body.lead_source) {
    const src = await v.resolve(
      'sources',
      body.lead_source.source_identifier,
      faults,
      'lead_source.source_identifier',
    );
    if (src) {
      set.source_id = src.id;
      set.source = src.name;
    }
  }
  await importanceAndPriority(v, body, faults, set);

  // Plain values.
  if (given(body.description)) set.description = body.description;
  if (body.probability_to_win === null) set.probability = null;
  else if (body.probability_to_win !== undefined) {
    if (!Number.isInteger(body.probability_to_win))
      faults.add('probability_to_win', 'must be a whole number from 0 to 100');
    else set.probability = body.probability_to_win;
  }
  if (given(body.target_amount))
    set.value = body.target_amount === null ? null : (Math.round(body.target_amount! * 100) / 100).toFixed(2);
  if (given(body.contact_email)) {
    const e = body.contact_email?.trim() ?? null;
    if (e !== null && e !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e))
      faults.add('contact_email', 'must be an email address');
    else set.email = e === '' ? null : e;
  }
  if (given(body.contact_phone)) set.phone = body.contact_phone === '' ? null : body.contact_phone;

  // UDFs: the surface's owned fields (null removes one).
  const cf: Record<string, string | number | null> = {};
  for (const k of UDF_STRINGS) if (given(body[k])) cf[kit.fields.stored(k)] = body[k] as string | null;
  for (const k of UDF_FLOATS) if (given(body[k])) cf[kit.fields.stored(k)] = body[k] as number | null;
  for (const k of UDF_DATES)
    if (body[k] === null) cf[kit.fields.stored(k)] = null;
    else if (typeof body[k] === 'string') {
      const d = dateOf(faults, k, body[k] as string);
      if (d) cf[kit.fields.stored(k)] = d;
    }

  // Contact information, and the accounts receivable (the contact's company) it requires once a customer.
  type Contact = Awaited<ReturnType<CrmcomDeps['contacts']['get']>>;
  let contact: Contact | undefined;
  const info = body.contact_information;
  if (info) {
    for (const k of ['first_name', 'last_name', 'company_name'] as const)
      if (given(info[k])) set[k] = info[k];
    if (info.title !== undefined) set.civility = info.title;
    if (info.id !== undefined) {
      const id = Number(info.id);
      try {
        if (!Number.isInteger(id) || id < 1) throw new AppError('not_found', 'no contact');
        contact = await deps.contacts.get(auth, id);
      } catch (e) {
        if (!(e instanceof AppError) || e.status !== 404) throw e;
        faults.add('contact_information.id', `no contact of this organization has id "${String(info.id)}"`);
      }
    }
  }
  const email = (set.email as string | null | undefined) ?? undefined;
  if (info && !contact && info.id === undefined && email)
    contact = (await deps.contacts.list(auth, { email, limit: 1 })).data[0] as Contact | undefined;
  if (contact) set.contact_ids = [contact.id];
  // The accounts receivable is the lead's company. That a customer contact needs its own is the core's rule
  // (leads.create: a 422 on company_id, named accounts_receivable_identifier here).
  const arIdent = body.accounts_receivable_identifier;
  if (arIdent === null) set.company_id = null;
  else if (arIdent) {
    const company = await findCompany(deps, auth, arIdent, faults);
    if (company) set.company_id = company.id;
  }

  // Dates: start_date backdates the creation; estimate <-> expected date through the core's rules.
  let at: string | undefined;
  if (typeof body.start_date === 'string') {
    if (!creating) faults.add('start_date', 'is set when the lead is created');
    else at = faults.time('start_date', body.start_date)?.instant;
  }
  if (body.estimated_completion_time === null) set.estimated_completion = null;
  else if (body.estimated_completion_time)
    set.estimated_completion = {
      value: body.estimated_completion_time.time_period_value,
      unit: UNIT[body.estimated_completion_time.time_period_uot],
    };
  if (body.expected_completion_date === null) set.expected_close_date = null;
  else if (typeof body.expected_completion_date === 'string') {
    const d = dateOf(faults, 'expected_completion_date', body.expected_completion_date);
    if (d) {
      set.expected_close_date = d;
      // On create the core keeps a bare date as is; the estimate that reaches it is the core's estimateFor.
      if (creating && !body.estimated_completion_time)
        set.estimated_completion = estimateFor(d, at ? Date.parse(at) : Date.now(), faults.timeZone);
    }
  }

  // Assignment, lead users and groups: assignees and teams of the lead.
  const assignedUser =
    body.assigned_to?.user_identifier === undefined
      ? undefined
      : await v.resolve('users', body.assigned_to.user_identifier, faults, 'assigned_to.user_identifier');
  const assignedGroup =
    body.assigned_to?.group_identifier === undefined
      ? undefined
      : await v.resolve('groups', body.assigned_to.group_identifier, faults, 'assigned_to.group_identifier');
  const leadUsers: number[] = [];
  for (const [i, u] of (body.lead_users_set ?? []).entries()) {
    const r = await v.resolve('users', u.user_identifier, faults, `lead_users_set.${i}.user_identifier`);
    if (r) leadUsers.push(Number(r.id));
  }
  const cur = current ? kit.fields : undefined;
  const curCf = (current?.custom_fields ?? {}) as Record<string, unknown>;
  const curAssigned = cur?.read<number>(curCf, 'assigned_user_id');
  const curAssignees = (current?.users ?? []).filter((u) => u.role === 'assignee').map((u) => u.user_id);
  if (body.assigned_to !== undefined || body.lead_users_set !== undefined) {
    const assigned =
      body.assigned_to === null || body.assigned_to?.user_identifier === null
        ? null
        : assignedUser
          ? Number(assignedUser.id)
          : (curAssigned ?? null);
    const others =
      body.lead_users_set !== undefined ? leadUsers : curAssignees.filter((u) => u !== curAssigned);
    const ids = [...new Set([...(assigned !== null ? [assigned] : []), ...others])];
    set.users = ids.map((user_id) => ({ user_id, role: 'assignee' }));
    cf[kit.fields.stored('assigned_user_id')] = assigned;
  }
  if (body.assigned_to !== undefined) {
    const group =
      body.assigned_to === null || body.assigned_to.group_identifier === null
        ? null
        : assignedGroup
          ? Number(assignedGroup.id)
          : (cur?.read<number>(curCf, 'assigned_group_id') ?? null);
    const primary =
      (set.team_id as number | null | undefined) ??
      (set.team_id === null ? null : (current?.team_id ?? null));
    const oldGroup = cur?.read<number>(curCf, 'assigned_group_id');
    const rest = (current?.team_ids ?? []).filter((t) => t !== current?.team_id && t !== oldGroup);
    set.team_ids = [
      ...new Set([...(primary !== null ? [primary] : []), ...(group !== null ? [group] : []), ...rest]),
    ];
    cf[kit.fields.stored('assigned_group_id')] = group;
  }

  // Competitors, products, services, physical goods and the subscription package: the lead's items.
  const touchedItems =
    ITEM_PARAMS.some(([p]) => body[p] !== undefined) || body.subscription_package !== undefined;
  if (touchedItems) {
    const items: Input[] = [];
    for (const [param, type, key] of ITEM_PARAMS) {
      const list =
        body[param] !== undefined
          ? ((body[param] ?? []) as Array<Record<string, unknown>>).map((x) => item(type, key, x))
          : (current?.items ?? []).filter((x) => x.type === type);
      items.push(...list);
    }
    const sub =
      body.subscription_package !== undefined
        ? body.subscription_package
          ? [item('subscription', 'subscription_package_identifier', body.subscription_package)]
          : []
        : (current?.items ?? []).filter((x) => x.type === 'subscription');
    items.push(...sub);
    set.items = items.map(({ id: _id, created_at: _c, updated_at: _u, vehicle: _v, ...rest }) => rest);
  }
  if (Object.keys(cf).length) set.custom_fields = cf;
  return { input: set, ...(at ? { at } : {}) };
}

/** The accounts receivable: a company of the organization, by id or name. */
async function findCompany(deps: CrmcomDeps, auth: AuthContext, ident: IdentifierT, faults: FieldFaults) {
  const [key, raw] = Object.entries(ident)[0];
  const value = String(raw).trim();
  if (key === 'id' || key === 'number') {
    const id = Number(value);
    if (Number.isInteger(id) && id > 0)
      try {
        return await deps.companies.get(auth, id);
      } catch (e) {
        if (!(e instanceof AppError) || e.status !== 404) throw e;
      }
  } else if (key === 'name') {
    const found = (await deps.companies.list(auth, { q: value, limit: 50 })).data.find(
      (c) => c.name.toLowerCase() === value.toLowerCase(),
    );
    if (found) return found;
  } else {
    faults.add(
      'accounts_receivable_identifier',
      `an accounts receivable is identified by id, number or name (not ${key})`,
    );
    return undefined;
  }
  faults.add(
    'accounts_receivable_identifier',
    `no accounts receivable of this organization has ${key} "${value}"`,
  );
  return undefined;
}

/**
 * `leads/create` in one answer: the parameters the schema refused (`malformed`, their keys left out of `body`),
 * the translation's faults and the core's rules (lead type, customer contact, status and lost reason, custom
 * fields) are named together; the core checks everything before it writes, in one unit of work. Any malformed
 * parameter makes it a 400, else a 422.
 */
export async function createLead(
  deps: CrmcomDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  body: LeadFieldsT,
  malformed: FieldError[] = [],
) {
  const faults = await kit.faults(auth);
  const v = vocabulary(deps, auth);
  const { input, at } = await translate(deps, kit, auth, v, body as LeadFieldsT & Input, faults);
  // A parameter the schema refused is named as such, not also as missing.
  const bad = new Set(malformed.map((f) => f.field.split('.')[0]));
  const all = [
    ...malformed,
    ...faults.list.filter((f) => !(bad.has(f.field) && f.message === 'is mandatory')),
  ];
  try {
    const lead = await deps.transaction((opts) =>
      deps.leads.create(auth, input as never, { ...opts, ...(at ? { at } : {}), faults: all }),
    );
    return { lead, v };
  } catch (e) {
    if (malformed.length && e instanceof AppError && e.status === 422)
      throw new AppError('validation_failed', e.detail, e.errors);
    throw e;
  }
}

/** `leads/update`: absent parameters stay, null clears; the core refuses a locked lead (409 LEAD_LOCKED). */
export async function updateLead(deps: CrmcomDeps, kit: SurfaceKit, auth: AuthContext, body: UpdateBodyT) {
  const { lead_identifier, fields_set: _f, ...rest } = body;
  const current = await findLead(deps, auth, lead_identifier);
  const faults = await kit.faults(auth);
  const v = vocabulary(deps, auth);
  const { input } = await translate(deps, kit, auth, v, rest as LeadFieldsT & Input, faults, current);
  faults.throwIfAny();
  const lead = await deps.transaction((opts) =>
    deps.leads.update(auth, current.id, input as never, undefined, opts),
  );
  return { lead, v };
}

/** `leads/lose` / `leads/cancel`: to the status given, else the first of that life cycle state. */
export async function closeLead(
  deps: CrmcomDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  body: {
    lead_identifier: IdentifierT;
    status_identifier?: IdentifierT;
    lost_reason_identifier?: IdentifierT;
  },
  lifecycle: 'LOST' | 'CANCELLED',
) {
  const current = await findLead(deps, auth, body.lead_identifier);
  const faults = await kit.faults(auth);
  const v = vocabulary(deps, auth);
  let status = await v.resolve('statuses', body.status_identifier, faults, 'status_identifier');
  if (status && status.life_cycle_state !== lifecycle)
    faults.add('status_identifier', `must be a status whose life cycle state is ${lifecycle}`);
  if (!body.status_identifier) {
    status = (await v.all('statuses')).find((s) => s.life_cycle_state === lifecycle);
    if (!status)
      faults.add(
        'status_identifier',
        `the organization has no status whose life cycle state is ${lifecycle}`,
      );
  }
  const reason = await v.resolve('reasons', body.lost_reason_identifier, faults, 'lost_reason_identifier');
  faults.throwIfAny();
  const lead = await deps.transaction((opts) =>
    deps.leads.update(
      auth,
      current.id,
      { status: status!.key, ...(reason ? { reason_id: Number(reason.id) } : {}) } as never,
      undefined,
      opts,
    ),
  );
  return { lead, v };
}
