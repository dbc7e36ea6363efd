import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import { formatMoney, parseMoney } from '../lib/money.js';
import type { LeadRepository, LeadRow } from './lead.repository.js';
import type { LeadItemsTable } from './lead-parts.tables.js';
import { failOn, type LeadPart } from './lead-parts.js';
import {
  ITEM_TYPES,
  VEHICLE_BOOLS,
  VEHICLE_CONDITIONS,
  VEHICLE_DATES,
  VEHICLE_INTENTS,
  VEHICLE_INTS,
  VEHICLE_MODALITIES,
  VEHICLE_MONEY,
  VEHICLE_TEXT,
  type ItemDto,
  type ItemInputT,
  type VehicleInputT,
} from './lead-items.schema.js';
import { precompiled } from '../db/precompiled.js';

type ItemRow = Selectable<LeadItemsTable>;
type Values = Omit<
  ItemRow,
  'id' | 'org_id' | 'lead_id' | 'position' | 'created_by' | 'created_at' | 'updated_at'
>;

export interface LeadItemServiceDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  guard: (auth: AuthContext, leadId: number, mode: 'read' | 'write', opts?: TxOptions) => Promise<void>;
}

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const QUANTITY = /^\d{1,9}(\.\d{1,4})?$/;
const RATE = /^\d{1,3}(\.\d{1,4})?$/;
const ENUMS: Record<string, readonly string[]> = {
  condition: VEHICLE_CONDITIONS,
  modality: VEHICLE_MODALITIES,
  intent: VEHICLE_INTENTS,
};

/** Checks the vehicle's fields; returns what is stored (money in minor units, VIN upper-cased). */
function checkVehicle(v: VehicleInputT, path: string, errors: FieldError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(v)) {
    if (raw === undefined) continue;
    if (raw === null || raw === '') {
      out[k] = null;
      continue;
    }
    if ((VEHICLE_MONEY as readonly string[]).includes(k)) {
      const cents = parseMoney(raw as string | number);
      if (cents === null)
        errors.push({ field: `${path}${k}`, message: 'must be a decimal amount with at most 2 decimals' });
      else out[k] = cents;
      continue;
    }
    if (k === 'vin') {
      const vin = String(raw).trim().toUpperCase();
      if (!VIN.test(vin))
        errors.push({
          field: `${path}vin`,
          message: `must be 17 letters and digits without I, O or Q (got ${vin.length} characters)`,
        });
      out.vin = vin;
      continue;
    }
    if (ENUMS[k] && !ENUMS[k].includes(String(raw))) {
      errors.push({
        field: `${path}${k}`,
        message: `"${String(raw)}" is not one of: ${ENUMS[k].join(', ')}`,
      });
      continue;
    }
    if (k === 'year' && ((raw as number) < 1886 || (raw as number) > 2100)) {
      errors.push({ field: `${path}year`, message: 'must be a model year between 1886 and 2100' });
      continue;
    }
    if (k === 'rate' && !RATE.test(String(raw))) {
      errors.push({ field: `${path}rate`, message: 'must be a percentage as a decimal string, e.g. "4.99"' });
      continue;
    }
    out[k] = raw;
  }
  return out;
}

function vehicleView(details: Record<string, unknown>): NonNullable<ItemDto['vehicle']> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(VEHICLE_TEXT)) out[k] = (details[k] as string | undefined) ?? null;
  for (const k of [...VEHICLE_INTS, ...VEHICLE_BOOLS, ...VEHICLE_DATES]) out[k] = details[k] ?? null;
  for (const k of VEHICLE_MONEY) out[k] = formatMoney((details[k] as number | undefined) ?? null);
  return out as NonNullable<ItemDto['vehicle']>;
}

export function toItemDto(r: ItemRow): ItemDto {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    catalog_ref: r.catalog_ref,
    quantity: r.quantity,
    price: formatMoney(r.price_cents),
    currency: r.currency,
    comment: r.comment,
    vehicle: r.type === 'vehicle' ? vehicleView(JSON.parse(r.details || '{}')) : null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** Checks one item (merged over `base` for a PATCH); pushes faults under `path` and returns the stored values. */
export function checkItem(
  input: Partial<ItemInputT>,
  path: string,
  errors: FieldError[],
  base?: ItemRow,
): Values {
  const type = input.type ?? base?.type ?? '';
  if (!(ITEM_TYPES as readonly string[]).includes(type))
    errors.push({
      field: `${path}type`,
      message: `"${type}" is not an item type (one of: ${ITEM_TYPES.join(', ')})`,
    });
  const pick = <K extends 'name' | 'catalog_ref' | 'comment'>(k: K) =>
    input[k] !== undefined ? (input[k] === '' ? null : (input[k] ?? null)) : (base?.[k] ?? null);
  const v: Values = {
    type,
    name: pick('name'),
    catalog_ref: pick('catalog_ref'),
    comment: pick('comment'),
    quantity: base?.quantity ?? null,
    price_cents: base?.price_cents ?? null,
    currency:
      input.currency !== undefined ? (input.currency?.toUpperCase() ?? null) : (base?.currency ?? null),
    vin: base?.vin ?? null,
    details: base?.details ?? '{}',
  };
  if (input.quantity !== undefined) {
    if (input.quantity === null) v.quantity = null;
    else if (!QUANTITY.test(String(input.quantity)) || Number(input.quantity) <= 0)
      errors.push({
        field: `${path}quantity`,
        message: 'must be a positive decimal with at most 4 decimals',
      });
    else v.quantity = String(Number(input.quantity));
  }
  if (input.price !== undefined) {
    if (input.price === null || input.price === '') v.price_cents = null;
    else {
      const cents = parseMoney(input.price);
      if (cents === null)
        errors.push({ field: `${path}price`, message: 'must be a decimal amount with at most 2 decimals' });
      else v.price_cents = cents;
    }
  }
  if (input.vehicle) {
    if (type !== 'vehicle')
      errors.push({ field: `${path}vehicle`, message: 'is only for items of type vehicle' });
    else {
      const details = {
        ...JSON.parse(v.details),
        ...checkVehicle(input.vehicle as VehicleInputT, `${path}vehicle.`, errors),
      };
      v.details = JSON.stringify(details);
      v.vin = (details.vin as string | null | undefined) ?? null;
    }
  }
  if (type !== 'vehicle') {
    v.details = '{}';
    v.vin = null;
  }
  if (type === 'competitor' && !v.name)
    errors.push({ field: `${path}name`, message: 'a competitor needs a name' });
  return v;
}

export function createLeadItemService({ db, leads, guard }: LeadItemServiceDeps) {
  // Read with every lead response: built once per number of leads (src/db/precompiled.ts).
  const items = precompiled((q, orgId: number, leadIds: readonly number[]) =>
    q
      .selectFrom('lead_items')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', leadIds)
      .orderBy('lead_id')
      .orderBy('position')
      .orderBy('id'),
  );
  async function itemsOf(orgId: number, leadIds: number[], trx: Kysely<Database>): Promise<ItemRow[]> {
    if (!leadIds.length) return [];
    return items(trx, orgId, leadIds);
  }
  async function findItem(orgId: number, leadId: number, id: number, trx: Kysely<Database>) {
    return trx
      .selectFrom('lead_items')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('lead_id', '=', leadId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
  async function loadLead(trx: Kysely<Database>, orgId: number, id: number): Promise<LeadRow> {
    const row = await leads.findById(orgId, id, trx, true);
    if (!row || row.deleted_at) throw notFound('Lead', id);
    return row;
  }
  async function touch(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    oldV: unknown,
    newV: unknown,
  ) {
    const now = nowIso();
    const ok = await leads.updateVersioned(trx, auth.orgId, lead.id, lead.version, {
      updated_at: now,
      updated_by: auth.userId,
    });
    if (!ok)
      throw new AppError(
        'conflict',
        `Lead ${lead.id} was changed by another request at the same time; try again.`,
      );
    await leads.insertFieldChanges(trx, [
      {
        org_id: auth.orgId,
        lead_id: lead.id,
        field: 'items',
        old_value: JSON.stringify(oldV ?? null),
        new_value: JSON.stringify(newV ?? null),
        changed_by: auth.userId,
        changed_at: now,
      },
    ]);
  }

  const part: LeadPart = {
    async check(_orgId, input, errors) {
      const list = input.items as ItemInputT[] | undefined;
      list?.forEach((it, i) => checkItem(it, `items.${i}.`, errors));
    },
    async write(trx, auth, lead, input, created) {
      const list = input.items as ItemInputT[] | undefined;
      if (!list) return false;
      const errors: FieldError[] = [];
      const values = list.map((it, i) => checkItem(it, `items.${i}.`, errors));
      failOn(errors);
      const old = await itemsOf(auth.orgId, [lead.id], trx);
      const sig = (v: Values) =>
        JSON.stringify([
          v.type,
          v.name,
          v.catalog_ref,
          v.quantity,
          v.price_cents,
          v.currency,
          v.comment,
          v.details,
        ]);
      if (old.map(sig).join('\n') === values.map(sig).join('\n')) return false;
      await trx
        .deleteFrom('lead_items')
        .where('org_id', '=', auth.orgId)
        .where('lead_id', '=', lead.id)
        .execute();
      const now = nowIso();
      if (values.length)
        await trx
          .insertInto('lead_items')
          .values(
            values.map((v, position) => ({
              ...v,
              org_id: auth.orgId,
              lead_id: lead.id,
              position,
              created_by: auth.userId,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      if (!created)
        await leads.insertFieldChanges(trx, [
          {
            org_id: auth.orgId,
            lead_id: lead.id,
            field: 'items',
            old_value: JSON.stringify(old.map(toItemDto)),
            new_value: JSON.stringify(list),
            changed_by: auth.userId,
            changed_at: now,
          },
        ]);
      return true;
    },
    async describe(orgId, rows, trx) {
      const out = new Map<number, Record<string, unknown>>(
        rows.map((r) => [r.id, { items: [] as ItemDto[] }]),
      );
      for (const it of await itemsOf(
        orgId,
        rows.map((r) => r.id),
        trx,
      ))
        (out.get(it.lead_id)!.items as ItemDto[]).push(toItemDto(it));
      return out;
    },
  };

  return {
    part,
    /** The lead an item belongs to, by the item's own id (surfaces address items without their lead). */
    async findItem(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<{ lead_id: number }> {
      const row = await runner(db, opts)
        .selectFrom('lead_items')
        .select('lead_id')
        .where('org_id', '=', auth.orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound('Item', id);
      await guard(auth, row.lead_id, 'read', opts);
      return row;
    },
    async list(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<ItemDto[]> {
      await guard(auth, leadId, 'read', opts);
      return (await itemsOf(auth.orgId, [leadId], runner(db, opts))).map(toItemDto);
    },
    async get(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<ItemDto> {
      await guard(auth, leadId, 'read', opts);
      const row = await findItem(auth.orgId, leadId, id, runner(db, opts));
      if (!row) throw notFound('Item', id);
      return toItemDto(row);
    },
    async add(auth: AuthContext, leadId: number, input: ItemInputT, opts: TxOptions = {}): Promise<ItemDto> {
      await guard(auth, leadId, 'write', opts);
      const errors: FieldError[] = [];
      const values = checkItem(input, '', errors);
      failOn(errors);
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const last = await trx
          .selectFrom('lead_items')
          .select((eb) => eb.fn.max('position').as('p'))
          .where('org_id', '=', auth.orgId)
          .where('lead_id', '=', leadId)
          .executeTakeFirst();
        const now = nowIso();
        const row = await trx
          .insertInto('lead_items')
          .values({
            ...values,
            org_id: auth.orgId,
            lead_id: leadId,
            position: Number(last?.p ?? -1) + 1,
            created_by: auth.userId,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await touch(trx, auth, lead, null, toItemDto(row));
        return toItemDto(row);
      });
    },
    async update(
      auth: AuthContext,
      leadId: number,
      id: number,
      input: Partial<ItemInputT>,
      opts: TxOptions = {},
    ): Promise<ItemDto> {
      await guard(auth, leadId, 'write', opts);
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const base = await findItem(auth.orgId, leadId, id, trx);
        if (!base) throw notFound('Item', id);
        const errors: FieldError[] = [];
        const values = checkItem(input, '', errors, base);
        failOn(errors);
        const row = await trx
          .updateTable('lead_items')
          .set({ ...values, updated_at: nowIso() })
          .where('org_id', '=', auth.orgId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await touch(trx, auth, lead, toItemDto(base), toItemDto(row));
        return toItemDto(row);
      });
    },
    async remove(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
      await guard(auth, leadId, 'write', opts);
      await inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const base = await findItem(auth.orgId, leadId, id, trx);
        if (!base) throw notFound('Item', id);
        await trx.deleteFrom('lead_items').where('org_id', '=', auth.orgId).where('id', '=', id).execute();
        await touch(trx, auth, lead, toItemDto(base), null);
      });
    },
  };
}

export type LeadItemService = ReturnType<typeof createLeadItemService>;
