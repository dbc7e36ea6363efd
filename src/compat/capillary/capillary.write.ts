import { assertCan, type AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import type { ComposedLead } from '../../leads/lead-compose.service.js';
import type { SurfaceKit } from '../shared/surface.js';
import { renderClientTime } from '../shared/time.js';
import { CAPILLARY, type CapillaryDeps } from './capillary.deps.js';
import { ORG_SOURCE_FIELD, TYPE_FIELD } from './capillary.fields.js';
import { sourceNameOf } from './capillary.mapping.js';
import type {
  AddLeadInput,
  FollowUpInput,
  SeedStatus,
  UpdateLeadInput,
  UpdateStatusInput,
} from './capillary.schema.js';
import { renderLead, viewLead, type CapLead } from './capillary.view.js';
import {
  EMAIL,
  MOBILE,
  checkValues,
  followUpWrite,
  ownerOf,
  pastTime,
  prepareExtended,
  readCatalog,
  statusCheckers,
} from './capillary.checks.js';

/**
 * POST /v2/leads: every fault is collected first (with the caller's field paths), then the core's composite
 * operation writes the lead with its customer, status log, follow-ups and refs in one transaction.
 */
export async function addLead(
  deps: CapillaryDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  input: AddLeadInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = await kit.faults(auth);
  const createdOn = pastTime(p, 'createdOn', input.createdOn);
  const lastUpdatedOn = p.time('lastUpdatedOn', input.lastUpdatedOn);
  const nextFollowUp = p.time('nextFollowUp', input.nextFollowUp);
  const lastFollowUp = pastTime(p, 'lastFollowUp', input.lastFollowUp);
  const followUps = (input.followUpDetails ?? []).map((f, i) => {
    const fu = followUpWrite(f, p.at('followUpDetails', i));
    const createdBy = f.createdBy ?? input.createdBy;
    return {
      ...fu.write,
      refs: { created_by: createdBy, done_by: f.followedUpBy ?? createdBy, offset: fu.offset },
    };
  });
  const cat = await readCatalog(deps, auth);
  const [keyFor, checkSub, checkReason] = statusCheckers(cat);

  // The status log: its first entry is the status the lead is created in; `status` (and `subStatus`) is where
  // it ends, appended as one more change when the log does not already end there.
  const log = (input.statusLogDetails ?? []).map((e, i) => ({ ...e, faults: p.at('statusLogDetails', i) }));
  const finalStatus: SeedStatus = input.status ?? log[log.length - 1]?.status ?? 'OPEN';
  const last = log[log.length - 1];
  if (
    !last ||
    last.status !== finalStatus ||
    (input.subStatus !== undefined && input.subStatus !== last.subStatus)
  )
    log.push({ status: finalStatus, subStatus: input.subStatus, createdBy: input.createdBy, faults: p });
  const steps = log.map((e) => {
    const key = keyFor(e.status, 'status', e.faults);
    if (key) checkSub(key, e.subStatus, e.faults.path('subStatus'), p);
    const reasonId = checkReason(key, e.reasonId, e.faults.path('reasonId'), p);
    const at = e.faults === p ? undefined : pastTime(e.faults, 'createdOn', e.createdOn);
    return {
      status: key ?? '',
      sub_status: e.subStatus ?? null,
      reason_id: reasonId ?? null,
      at: at?.instant,
      refs: { created_by: e.createdBy ?? input.createdBy, offset: at?.offset },
    };
  });

  // The customer: an existing contact (userId) or one found or created from the identifier.
  let customer: { first_name?: string | null; last_name?: string | null; email?: string; mobile?: string } =
    {};
  let contact: ComposedLead['contact'];
  if (input.userId !== undefined) {
    try {
      const c = await deps.contacts.get(auth, input.userId);
      contact = { id: c.id };
      customer = {
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.emails[0]?.email,
        mobile: c.phones[0]?.phone,
      };
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'not_found') throw e;
      p.add('userId', `customer ${input.userId} does not exist in this organization`);
    }
  } else if (input.idType === undefined && input.identifier === undefined) {
    p.add('userId', 'is required, or idType and identifier to find or create the customer');
  } else if (input.idType === undefined) p.add('idType', 'is required with identifier (EMAIL or MOBILE)');
  else if (input.identifier === undefined) p.add('identifier', `is required with idType ${input.idType}`);
  else if (input.idType === 'EMAIL' && !EMAIL.test(input.identifier))
    p.add('identifier', 'must be an email address for idType EMAIL');
  else if (input.idType === 'MOBILE' && !MOBILE.test(input.identifier))
    p.add('identifier', 'must be a phone number for idType MOBILE');
  else if (input.idType === 'EMAIL') {
    customer = { email: input.identifier.trim().toLowerCase() };
    contact = { email: customer.email! };
  } else {
    customer = { mobile: input.identifier.trim() };
    contact = { mobile: customer.mobile! };
  }

  const owner = await ownerOf(deps, auth, input.owner);
  const ext = prepareExtended(cat, input.extendedFields, p);
  const orgSourceId = input.orgSourceId ?? -1;
  const customFields = {
    ...(input.extendedFields ?? {}),
    [TYPE_FIELD]: input.type ?? 'SKU',
    [ORG_SOURCE_FIELD]: orgSourceId,
  };
  await checkValues(deps, auth, customFields, null, p, cat);
  p.throwIfAny();

  // The lead's follow-up summary: a lastFollowUp that none of followUpDetails carries is the follow-up done then.
  if (lastFollowUp && !followUps.some((f) => f.done_at === lastFollowUp.instant))
    followUps.push({
      done_at: lastFollowUp.instant,
      refs: { created_by: input.createdBy, done_by: input.createdBy, offset: lastFollowUp.offset },
    } as (typeof followUps)[number]);
  const [first, ...rest] = steps;
  const leadOffset = (createdOn ?? nextFollowUp ?? lastUpdatedOn)?.offset;
  const by = input.lastUpdatedBy ?? input.createdBy;
  const made = await deps.composeLead(auth, {
    surface: CAPILLARY,
    known: cat.known,
    contact,
    defineFields: ext.missing,
    lead: {
      title: input.leadFor,
      first_name: customer.first_name ?? undefined,
      last_name: customer.last_name ?? undefined,
      email: customer.email,
      mobile: customer.mobile,
      source: sourceNameOf(orgSourceId) ?? undefined,
      owner_id: owner.userId,
      status: first.status,
      sub_status: first.sub_status ?? undefined,
      reason_id: first.reason_id ?? undefined,
      custom_fields: customFields,
    },
    // Created when the client says: createdOn, else when its first log entry says.
    at: createdOn?.instant ?? first.at,
    firstEntryRefs: first.refs,
    statusChanges: rest,
    followUps,
    nextFollowUpAt: nextFollowUp?.instant,
    refs: {
      created_by: input.createdBy,
      offset: leadOffset,
      owner: owner.username,
      updated_by: by,
      updated_on: lastUpdatedOn ? renderClientTime(lastUpdatedOn.instant, lastUpdatedOn.offset) : undefined,
    },
  });
  return {
    ...renderLead(made.view, await ownerEmails(deps, auth, made.lead.owner_id)),
    warnings: ext.warnings,
  };
}

async function ownerEmails(deps: CapillaryDeps, auth: AuthContext, ownerId: number | null) {
  if (ownerId === null) return new Map<number, string>();
  return new Map((await deps.users.list(auth)).data.map((u) => [u.id, u.email]));
}

/** Remembers the staff id that made a write as the lead's last updater (valid while the lead stays as written). */
async function touchLeadRefs(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  by: number | undefined,
  opts: TxOptions,
) {
  const lead = await deps.leads.get(auth, leadId, opts);
  await deps.refs.set(auth, 'lead', leadId, { updated_by: by ?? -1, updated_at: lead.updated_at }, opts);
}

export async function updateLead(
  deps: CapillaryDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  leadId: number,
  input: UpdateLeadInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = await kit.faults(auth);
  const current = await deps.leads.get(auth, leadId);
  const owner = await ownerOf(deps, auth, input.owner);
  const cat = await readCatalog(deps, auth);
  const ext = prepareExtended(cat, input.extendedFields, p);
  if (input.extendedFields)
    await checkValues(deps, auth, input.extendedFields, current.custom_fields, p, cat);
  p.throwIfAny();
  await deps.transaction(async (opts) => {
    for (const m of ext.missing) await deps.customFields.ensureCustomField(auth.orgId, m, opts.tx);
    await deps.leads.update(
      auth,
      leadId,
      {
        custom_fields: input.extendedFields,
        // A client username that is no Leadflow user is kept as a ref (below); the lead then has no Leadflow owner.
        ...(input.owner !== undefined ? { owner_id: owner.userId ?? null } : {}),
      },
      opts,
    );
    if (input.owner !== undefined)
      await deps.refs.set(auth, 'lead', leadId, { owner: owner.username ?? '' }, opts);
  });
  return viewLead(deps, auth, leadId, ext.warnings);
}

export async function updateStatus(
  deps: CapillaryDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  leadId: number,
  input: UpdateStatusInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = await kit.faults(auth);
  await deps.leads.get(auth, leadId); // 404 before any other fault
  const at = pastTime(p, 'createdOn', input.createdOn);
  const [keyFor, checkSub, checkReason] = statusCheckers(await readCatalog(deps, auth));
  const key = keyFor(input.status, 'status', p);
  if (key) checkSub(key, input.subStatus, 'subStatus', p);
  const reasonId = checkReason(key, input.reasonId, 'reasonId', p);
  p.throwIfAny();
  await deps.transaction(async (opts) => {
    // The core returns the history entry it wrote (none when nothing changed).
    const { history: entry } = await deps.statusChanges.changeStatus(
      auth,
      leadId,
      { status: key!, sub_status: input.subStatus ?? null, reason_id: reasonId },
      { at: at?.instant, ...opts },
    );
    if (entry)
      await deps.refs.set(
        auth,
        'status_history',
        entry.id,
        { created_by: input.createdBy, offset: at?.offset },
        opts,
      );
    await touchLeadRefs(deps, auth, leadId, input.createdBy, opts);
  });
  return viewLead(deps, auth, leadId);
}

export async function addFollowUp(
  deps: CapillaryDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  leadId: number,
  input: FollowUpInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = await kit.faults(auth);
  const lead = await deps.leads.get(auth, leadId);
  const { write, offset } = followUpWrite(input, p);
  p.throwIfAny();
  await deps.transaction(async (opts) => {
    const fu = await deps.followUps.addFollowUp(auth, leadId, write, opts);
    await deps.refs.set(
      auth,
      'follow_up',
      fu.id,
      { created_by: input.createdBy, done_by: input.followedUpBy ?? input.createdBy, offset },
      opts,
    );
    // A follow-up that names no next one keeps the lead's scheduled follow-up (the core would clear it).
    if (input.nextFollowUp === undefined && lead.next_follow_up_at !== null) {
      const now = await deps.leads.get(auth, leadId, opts);
      if (now.next_follow_up_at !== lead.next_follow_up_at)
        await deps.followUps.setNextFollowUp(auth, leadId, lead.next_follow_up_at, opts);
    }
    await touchLeadRefs(deps, auth, leadId, input.createdBy, opts);
  });
  return viewLead(deps, auth, leadId);
}
