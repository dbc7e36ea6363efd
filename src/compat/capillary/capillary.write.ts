import { assertCan, type AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';
import type { CapillaryDeps } from './capillary.deps.js';
import { ORG_SOURCE_FIELD, TYPE_FIELD, sourceNameOf, wireTime } from './capillary.mapping.js';
import type {
  AddLeadInput,
  FollowUpInput,
  SeedStatus,
  UpdateLeadInput,
  UpdateStatusInput,
} from './capillary.schema.js';
import { viewLead, type CapLead } from './capillary.view.js';
import {
  EMAIL,
  MOBILE,
  Problems,
  checkValues,
  followUpWrite,
  newestHistoryId,
  ownerId,
  prepareExtended,
  statusKeys,
  subStatusChecker,
  touchLeadRefs,
} from './capillary.checks.js';

export async function addLead(deps: CapillaryDeps, auth: AuthContext, input: AddLeadInput): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = new Problems();
  const createdOn = p.time('createdOn', input.createdOn);
  const lastUpdatedOn = p.time('lastUpdatedOn', input.lastUpdatedOn);
  const nextFollowUp = p.time('nextFollowUp', input.nextFollowUp);
  const lastFollowUp = p.time('lastFollowUp', input.lastFollowUp);
  const followUps = (input.followUpDetails ?? []).map((f, i) => followUpWrite(f, `followUpDetails.${i}.`, p));
  const keyFor = await statusKeys(deps, auth);
  const checkSub = await subStatusChecker(deps, auth);
  const reasonIds = new Set((await deps.reasons.listReasons(auth)).map((r) => r.id));

  // The status log: its first entry is the status the lead is created in; `status` (and `subStatus`) is where
  // it ends, appended as one more change when the log does not already end there.
  const log = (input.statusLogDetails ?? []).map((e, i) => ({ ...e, field: `statusLogDetails.${i}.` }));
  const finalStatus: SeedStatus = input.status ?? log[log.length - 1]?.status ?? 'OPEN';
  const last = log[log.length - 1];
  if (
    !last ||
    last.status !== finalStatus ||
    (input.subStatus !== undefined && input.subStatus !== last.subStatus)
  ) {
    log.push({ status: finalStatus, subStatus: input.subStatus, createdBy: input.createdBy, field: '' });
  }
  const steps = log.map((e) => {
    let key: string | undefined;
    try {
      key = keyFor(e.status, `${e.field}status`);
    } catch (err) {
      if (err instanceof AppError && err.errors) p.list.push(...err.errors);
    }
    if (key) checkSub(key, e.subStatus, `${e.field}subStatus`, p);
    if (e.reasonId !== undefined && !reasonIds.has(e.reasonId)) {
      p.add(
        `${e.field}reasonId`,
        `${e.reasonId} is not a reason of this organization (GET /v2/leads/reasons)`,
      );
    }
    return {
      key: key ?? '',
      subStatus: e.subStatus,
      reasonId: e.reasonId,
      at: p.time(`${e.field}createdOn`, e.createdOn),
      createdBy: e.createdBy ?? input.createdBy,
    };
  });

  // The customer: an existing contact (userId) or one found or created from the identifier.
  let customer: {
    first_name?: string | null;
    last_name?: string | null;
    email?: string;
    mobile?: string;
    contactId?: number;
  } = {};
  if (input.userId !== undefined) {
    try {
      const c = await deps.contacts.get(auth, input.userId);
      customer = {
        contactId: c.id,
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

  const owner = await ownerId(deps, auth, input.owner, p);
  const ext = await prepareExtended(deps, auth, input.extendedFields, p, true);
  const orgSourceId = input.orgSourceId ?? -1;
  const customFields = {
    ...(input.extendedFields ?? {}),
    [TYPE_FIELD]: input.type ?? 'SKU',
    [ORG_SOURCE_FIELD]: orgSourceId,
  };
  await checkValues(deps, auth, customFields, null, p);
  p.throwIfAny();

  if (input.userId === undefined) {
    const kind = input.idType === 'EMAIL' ? 'email' : 'mobile';
    const found = await deps.contacts.findOrCreateByIdentifier(auth, kind, input.identifier!);
    customer = {
      contactId: found.id,
      [kind]: kind === 'email' ? input.identifier!.trim().toLowerCase() : input.identifier!.trim(),
    };
  }
  for (const m of ext.missing) await deps.customFields.ensureCustomField(auth.orgId, m);

  const [first, ...rest] = steps;
  const lead = await deps.leads.create(
    auth,
    {
      title: input.leadFor,
      first_name: customer.first_name ?? undefined,
      last_name: customer.last_name ?? undefined,
      email: customer.email,
      mobile: customer.mobile,
      source: sourceNameOf(orgSourceId) ?? undefined,
      owner_id: owner,
      status: first.key,
      sub_status: first.subStatus,
      reason_id: first.reasonId,
      custom_fields: customFields,
      contact_ids: customer.contactId !== undefined ? [customer.contactId] : undefined,
    },
    // Created when the client says: createdOn, else when its first log entry says.
    { at: createdOn ?? first.at },
  );
  // Everything was checked above, so the rest should succeed; if the core still refuses a step, the half-made
  // lead goes to the trash (restorable) rather than staying half-written among live leads.
  try {
    const firstEntry = await newestHistoryId(deps, auth, lead.id, {
      status: first.key,
      reasonId: first.reasonId ?? null,
    });
    if (firstEntry !== undefined)
      await deps.refs.set(auth, 'status_history', firstEntry, { created_by: first.createdBy });
    for (const s of rest) {
      await deps.statusChanges.changeStatus(
        auth,
        lead.id,
        { status: s.key, sub_status: s.subStatus ?? null, reason_id: s.reasonId ?? null },
        { at: s.at },
      );
      const id = await newestHistoryId(deps, auth, lead.id, { status: s.key, reasonId: s.reasonId ?? null });
      if (id !== undefined) await deps.refs.set(auth, 'status_history', id, { created_by: s.createdBy });
    }
    for (const [i, f] of followUps.entries()) {
      const item = input.followUpDetails![i];
      const fu = await deps.followUps.addFollowUp(auth, lead.id, f);
      await deps.refs.set(auth, 'follow_up', fu.id, {
        created_by: item.createdBy ?? input.createdBy,
        done_by: item.followedUpBy,
      });
    }
    // The lead's last follow-up is the core's summary of its follow-ups: a lastFollowUp that none of
    // followUpDetails carries is recorded as the follow-up done then.
    if (lastFollowUp !== undefined && !followUps.some((f) => f.done_at === lastFollowUp)) {
      const fu = await deps.followUps.addFollowUp(auth, lead.id, { done_at: lastFollowUp });
      await deps.refs.set(auth, 'follow_up', fu.id, { created_by: input.createdBy });
    }
    if (nextFollowUp !== undefined) await deps.followUps.setNextFollowUp(auth, lead.id, nextFollowUp);
    await deps.refs.set(auth, 'lead', lead.id, { created_by: input.createdBy });
    await touchLeadRefs(
      deps,
      auth,
      lead.id,
      input.lastUpdatedBy ?? input.createdBy,
      lastUpdatedOn !== undefined ? wireTime(lastUpdatedOn) : undefined,
    );
  } catch (e) {
    await deps.leads.remove(auth, lead.id).catch(() => undefined);
    throw e;
  }
  return viewLead(deps, auth, lead.id, ext.warnings);
}

export async function updateLead(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  input: UpdateLeadInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = new Problems();
  const current = await deps.leads.get(auth, leadId);
  const owner = await ownerId(deps, auth, input.owner, p);
  const ext = await prepareExtended(deps, auth, input.extendedFields, p);
  if (input.extendedFields) await checkValues(deps, auth, input.extendedFields, current.custom_fields, p);
  p.throwIfAny();
  for (const m of ext.missing) await deps.customFields.ensureCustomField(auth.orgId, m);
  await deps.leads.update(auth, leadId, { custom_fields: input.extendedFields, owner_id: owner });
  return viewLead(deps, auth, leadId, ext.warnings);
}

export async function updateStatus(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  input: UpdateStatusInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = new Problems();
  await deps.leads.get(auth, leadId);
  const at = p.time('createdOn', input.createdOn);
  const key = (await statusKeys(deps, auth))(input.status, 'status');
  (await subStatusChecker(deps, auth))(key, input.subStatus, 'subStatus', p);
  if (!(await deps.reasons.listReasons(auth)).some((r) => r.id === input.reasonId)) {
    p.add('reasonId', `${input.reasonId} is not a reason of this organization (GET /v2/leads/reasons)`);
  }
  p.throwIfAny();
  await deps.statusChanges.changeStatus(
    auth,
    leadId,
    { status: key, sub_status: input.subStatus ?? null, reason_id: input.reasonId },
    { at },
  );
  const id = await newestHistoryId(deps, auth, leadId, { status: key, reasonId: input.reasonId });
  if (id !== undefined) await deps.refs.set(auth, 'status_history', id, { created_by: input.createdBy });
  await touchLeadRefs(deps, auth, leadId, input.createdBy);
  return viewLead(deps, auth, leadId);
}

export async function addFollowUp(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  input: FollowUpInput,
): Promise<CapLead> {
  assertCan(auth, 'leads:write');
  const p = new Problems();
  await deps.leads.get(auth, leadId);
  const write = followUpWrite(input, '', p);
  p.throwIfAny();
  const fu = await deps.followUps.addFollowUp(auth, leadId, write);
  await deps.refs.set(auth, 'follow_up', fu.id, { created_by: input.createdBy, done_by: input.followedUpBy });
  await touchLeadRefs(deps, auth, leadId, input.createdBy);
  return viewLead(deps, auth, leadId);
}
