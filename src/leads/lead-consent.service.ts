import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow } from './lead.repository.js';
import type { LeadPart } from './lead-parts.js';
import {
  CONSENT_CHANNELS,
  type ConsentDto,
  type ConsentInputT,
  type ConsentKey,
} from './lead-consent.schema.js';
import { precompiled } from '../db/precompiled.js';

export interface LeadConsentServiceDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  guard: (auth: AuthContext, leadId: number, mode: 'read' | 'write') => Promise<void>;
}

const KEYS = Object.keys(CONSENT_CHANNELS) as ConsentKey[];

/** The opt-outs a body asks for: channel -> since when (null: opted in again); absent channels are unchanged. */
function planned(
  input: ConsentInputT,
  current: Map<string, string>,
  now: string,
): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const k of KEYS) {
    const flag = input[k] as boolean | undefined;
    const at = input[`${k}_at`] as string | null | undefined;
    const channel = CONSENT_CHANNELS[k];
    if (flag === undefined && at === undefined) continue;
    if (flag === false || (flag === undefined && at === null)) out.set(channel, null);
    else if (at) out.set(channel, new Date(at).toISOString());
    else out.set(channel, current.get(channel) ?? now);
  }
  return out;
}

function view(rows: Array<{ channel: string; opted_out_at: string }>): ConsentDto {
  const by = new Map(rows.map((r) => [r.channel, r.opted_out_at]));
  const out: ConsentDto = {};
  for (const k of KEYS) {
    const at = by.get(CONSENT_CHANNELS[k]) ?? null;
    // "All" covers every channel: a lead opted out of all is not to be called either.
    out[k] = at !== null || (k !== 'do_not_contact' && by.has('all'));
    out[`${k}_at`] = at;
  }
  return out;
}

/** The view of a lead without consent rows. */
const NO_CONSENT: ConsentDto = view([]);

export function createLeadConsentService({ db, leads, guard }: LeadConsentServiceDeps) {
  // Read with every lead response: built once per number of leads (src/db/precompiled.ts).
  const read = precompiled((q, orgId: number, leadIds: readonly number[]) =>
    q
      .selectFrom('lead_consents')
      .select(['lead_id', 'channel', 'opted_out_at'])
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', leadIds),
  );
  async function rowsOf(orgId: number, leadIds: number[], trx: Kysely<Database>) {
    if (!leadIds.length) return [];
    return read(trx, orgId, leadIds);
  }

  /** Applies a consent body; returns the old and new views when something changed. */
  async function apply(trx: Kysely<Database>, orgId: number, leadId: number, input: ConsentInputT) {
    const rows = await rowsOf(orgId, [leadId], trx);
    const current = new Map(rows.map((r) => [r.channel, r.opted_out_at]));
    const now = nowIso();
    let changed = false;
    for (const [channel, at] of planned(input, current, now)) {
      if ((current.get(channel) ?? null) === at) continue;
      changed = true;
      await trx
        .deleteFrom('lead_consents')
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('channel', '=', channel)
        .execute();
      if (at !== null)
        await trx
          .insertInto('lead_consents')
          .values({ org_id: orgId, lead_id: leadId, channel, opted_out_at: at, recorded_at: now })
          .execute();
    }
    if (!changed) return null;
    return { before: view(rows), after: view(await rowsOf(orgId, [leadId], trx)) };
  }

  async function record(
    trx: Kysely<Database>,
    auth: AuthContext,
    leadId: number,
    before: unknown,
    after: unknown,
  ) {
    await leads.insertFieldChanges(trx, [
      {
        org_id: auth.orgId,
        lead_id: leadId,
        field: 'consent',
        old_value: JSON.stringify(before),
        new_value: JSON.stringify(after),
        changed_by: auth.userId,
        changed_at: nowIso(),
      },
    ]);
  }

  const part: LeadPart = {
    async check() {
      // The schema checks the dates; no cross-field rule.
    },
    async write(trx, auth, lead, input, created) {
      if (!input.consent) return false;
      const r = await apply(trx, auth.orgId, lead.id, input.consent as ConsentInputT);
      if (r && !created) await record(trx, auth, lead.id, r.before, r.after);
      return r !== null;
    },
    async describe(orgId, rows, trx) {
      const all = await rowsOf(
        orgId,
        rows.map((r) => r.id),
        trx,
      );
      // Most leads have no consent rows: their view is the empty one, copied (no per-lead scan of every row).
      const byLead = new Map<number, typeof all>();
      for (const c of all) {
        const list = byLead.get(c.lead_id);
        if (list) list.push(c);
        else byLead.set(c.lead_id, [c]);
      }
      return new Map(
        rows.map((r) => {
          const own = byLead.get(r.id);
          return [r.id, { consent: own ? view(own) : { ...NO_CONSENT } }];
        }),
      );
    },
  };

  async function loadLead(trx: Kysely<Database>, orgId: number, id: number): Promise<LeadRow> {
    const row = await leads.findById(orgId, id, trx, true);
    if (!row || row.deleted_at) throw notFound('Lead', id);
    return row;
  }

  return {
    part,
    async get(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<ConsentDto> {
      await guard(auth, leadId, 'read');
      return view(await rowsOf(auth.orgId, [leadId], runner(db, opts)));
    },
    /** Changes the channels the body names; `{}` changes nothing. DELETE opts the lead in again everywhere. */
    async update(
      auth: AuthContext,
      leadId: number,
      input: ConsentInputT,
      opts: TxOptions = {},
    ): Promise<ConsentDto> {
      await guard(auth, leadId, 'write');
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const r = await apply(trx, auth.orgId, leadId, input);
        if (!r) return view(await rowsOf(auth.orgId, [leadId], trx));
        const ok = await leads.updateVersioned(trx, auth.orgId, leadId, lead.version, {
          updated_at: nowIso(),
          updated_by: auth.userId,
        });
        if (!ok)
          throw new AppError(
            'conflict',
            `Lead ${leadId} was changed by another request at the same time; try again.`,
          );
        await record(trx, auth, leadId, r.before, r.after);
        return r.after;
      });
    },
    async clear(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<void> {
      await this.update(auth, leadId, Object.fromEntries(KEYS.map((k) => [k, false])), opts);
    },
  };
}

export type LeadConsentService = ReturnType<typeof createLeadConsentService>;
