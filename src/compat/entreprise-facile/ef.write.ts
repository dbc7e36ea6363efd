import type { AuthContext } from '../../access/roles.js';
import type { LeadDto, LeadPatchInput } from '../../leads/lead.schema.js';
import type { FieldFaults } from '../shared/fields.js';
import type { CustomerStatus, EfDeps } from './ef.deps.js';
import { fields, LEARNINGS } from './ef.fields.js';
import type { LeadChanges } from './ef.input.js';
import { STEPS, statusForStep } from './ef.mapping.js';
import { stepOfLead } from './ef.view.js';

type CfValue = string | number | boolean | null;

interface WritePlan {
  input: LeadPatchInput;
  /** The customer flag to set on the lead's firm or contact, when it changes. */
  flag?: { on: 'companies' | 'contacts'; id: number; status: CustomerStatus };
}

/**
 * The document's lost step carries no reason, and a lost status may require one in the core: the lead is
 * recorded with the organization's reason "Other" when it is usable for lost statuses, else the first such
 * reason (docs/compat/entreprise-facile.md). Undefined when the organization has none (the core then says so).
 */
async function reasonForLost(deps: EfDeps, auth: AuthContext): Promise<number | undefined> {
  const usable = (await deps.reasons.listReasons(auth)).filter(
    (r) => r.categories === null || r.categories.includes('lost'),
  );
  return (usable.find((r) => r.text.trim().toLowerCase() === 'other') ?? usable[0])?.id;
}

/**
 * True when a value sent equals the lead's: an element sent back as fetched is not a change (the core would
 * otherwise, e.g., re-derive the estimate from an unchanged value_date and bump the version).
 */
function same(key: string, current: unknown, sent: unknown): boolean {
  if (key === 'value' && typeof current === 'string' && typeof sent === 'string')
    return Math.round(Number(current) * 100) === Math.round(Number(sent) * 100);
  return (current ?? null) === (sent ?? null);
}

/** Translates the changes into one core lead write (+ the customer flag), adding faults for what cannot map. */
async function planWrite(
  deps: EfDeps,
  auth: AuthContext,
  ch: LeadChanges,
  current: LeadDto | undefined,
  faults: FieldFaults,
): Promise<WritePlan> {
  const input: LeadPatchInput = {};
  for (const k of [
    'owner_id',
    'company_name',
    'title',
    'company_id',
    'importance',
    'product_category_id',
    'project_id',
    'value',
    'expected_close_date',
    'probability',
    'description',
  ] as const)
    if (ch[k] !== undefined && !(current && same(k, current[k], ch[k])))
      (input as Record<string, unknown>)[k] = ch[k];
  const cf: Record<string, CfValue> = {};
  for (const k of LEARNINGS) {
    const v = ch.learnings[k];
    if (v !== undefined && !(current && (current.custom_fields[fields.stored(k)] ?? null) === v))
      cf[fields.stored(k)] = v;
  }

  // contact_id is the lead's first contact: a new one goes first (the others stay linked); 0 unlinks them all.
  const currentContacts = current?.contacts.map((c) => c.id) ?? [];
  if (ch.contact !== undefined && ch.contact !== (currentContacts[0] ?? 0))
    input.contact_ids =
      ch.contact === 0 ? [] : [ch.contact, ...currentContacts.filter((c) => c !== ch.contact)];

  // The step changes the status only when it differs from the step the lead reads as.
  if (ch.step !== undefined && (!current || ch.step !== stepOfLead(current))) {
    const words = await deps.statuses.listStatusWords(auth);
    const key = statusForStep(ch.step, words);
    if (key === undefined)
      faults.add(
        'progress_id',
        `the organization has no status for step ${ch.step} (${STEPS[ch.step].name}); add one of category ${STEPS[ch.step].category}`,
      );
    else {
      input.status = key;
      if (words.find((w) => w.key === key)?.category === 'lost') {
        const reason = await reasonForLost(deps, auth);
        if (reason !== undefined) input.reason_id = reason;
      }
    }
  }

  // is_engaged is the customer flag of the firm, else of the (first) contact; with neither, kept on the lead.
  let flag: WritePlan['flag'];
  if (ch.engaged !== undefined) {
    const status: CustomerStatus = ch.engaged ? 'customer' : 'prospect';
    const firm = input.company_id !== undefined ? input.company_id : (current?.company?.id ?? null);
    const contact = input.contact_ids !== undefined ? input.contact_ids[0] : currentContacts[0];
    const owned = fields.stored('is_engaged');
    if (firm) {
      if (!(current?.company?.id === firm && current.company.customer_status === status))
        flag = { on: 'companies', id: firm, status };
    } else if (contact) {
      const c = current?.contacts[0];
      if (!(c?.id === contact && c.customer_status === status))
        flag = { on: 'contacts', id: contact, status };
    }
    if (firm || contact) {
      if (current && owned in current.custom_fields) cf[owned] = null;
    } else cf[owned] = ch.engaged ? true : null;
  }
  if (Object.keys(cf).length) input.custom_fields = cf;
  return { input, flag };
}

async function write(
  deps: EfDeps,
  auth: AuthContext,
  plan: WritePlan,
  current: LeadDto | undefined,
): Promise<LeadDto> {
  return deps.transaction(async (opts) => {
    const lead = current
      ? await deps.leads.update(auth, current.id, plan.input, opts)
      : await deps.leads.create(auth, plan.input, opts);
    if (!plan.flag) return lead;
    await deps[plan.flag.on].setCustomerStatus(auth, plan.flag.id, plan.flag.status, opts);
    return deps.leads.get(auth, lead.id, opts);
  });
}

/** POST /leads.xml: every fault first, then one unit of work (the lead, then its customer's flag). */
export async function createLead(
  deps: EfDeps,
  auth: AuthContext,
  ch: LeadChanges,
  faults: FieldFaults,
): Promise<LeadDto> {
  faults.throwIfAny();
  const plan = await planWrite(deps, auth, ch, undefined, faults);
  faults.throwIfAny();
  return write(deps, auth, plan, undefined);
}

/** PUT /leads/{id}.xml: only the elements sent change; read-only ones sent back as fetched are accepted. */
export async function updateLead(
  deps: EfDeps,
  auth: AuthContext,
  id: number,
  ch: LeadChanges,
  faults: FieldFaults,
): Promise<LeadDto> {
  const current = await deps.leads.get(auth, id);
  if (ch.id !== undefined && ch.id !== id) faults.add('id', `is ${ch.id}, but this is lead ${id}`);
  faults.throwIfAny();
  const plan = await planWrite(deps, auth, ch, current, faults);
  faults.throwIfAny();
  return write(deps, auth, plan, current);
}
