import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { CustomFieldDefRow, ReasonRepository } from './reason.repository.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

/** Custom field definitions per organization (docs/data-model.md, "Limits"). */
export const MAX_CUSTOM_FIELDS_PER_ORG = 500;
import { findOrgTimeZone, withZoneOffset } from '../catalogs/time-zone.js';

/** `datetime`: an instant kept exactly as sent, with its offset; `int_enum`: integer values from `options`. */
export const FIELD_TYPES = ['string', 'number', 'date', 'boolean', 'enum', 'datetime', 'int_enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
type Value = string | number | boolean | null;

export interface CustomFieldInput {
  key: string;
  label?: string;
  type?: FieldType;
  options?: string[] | null;
  required?: boolean;
  position?: number;
}

export interface CustomFieldDto {
  key: string;
  label: string;
  type: string;
  options: string[] | null;
  required: boolean;
  position: number;
  created_at: string;
  updated_at: string;
}

export function toCustomFieldResponse(r: CustomFieldDefRow): CustomFieldDto {
  return {
    key: r.key,
    label: r.label,
    type: r.type,
    options: r.options ? (JSON.parse(r.options) as string[]) : null,
    required: r.required === 1,
    position: r.position,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Checks one value against its definition; returns the value to store or an error message. */
function checkValue(
  def: CustomFieldDefRow,
  v: Value,
  zone: string | null,
): { ok: Value } | { error: string } {
  switch (def.type) {
    case 'datetime': {
      if (typeof v !== 'string' || !DATETIME.test(v))
        return { error: 'must be an ISO 8601 date-time such as "2026-05-04T09:30:00+02:00"' };
      const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(v);
      if (!hasZone && !zone)
        return {
          error: 'has no time zone and the organization has none set (PUT /api/v1/organization/time-zone)',
        };
      const full = hasZone ? v : withZoneOffset(v, zone!);
      return Number.isFinite(Date.parse(full)) ? { ok: full } : { error: 'is not a real date-time' };
    }
    case 'int_enum': {
      const options = def.options ? (JSON.parse(def.options) as string[]).map(Number) : [];
      return typeof v === 'number' && options.includes(v)
        ? { ok: v }
        : { error: `must be one of the integers: ${options.join(', ')}` };
    }
    case 'string':
      return typeof v === 'string' ? { ok: v } : { error: 'must be a string' };
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? { ok: v } : { error: 'must be a number' };
    case 'boolean':
      return typeof v === 'boolean' ? { ok: v } : { error: 'must be true or false' };
    case 'date': {
      if (typeof v !== 'string' || !DATE.test(v)) return { error: 'must be a date "YYYY-MM-DD"' };
      const d = new Date(`${v}T00:00:00Z`);
      return Number.isFinite(d.getTime()) && d.toISOString().startsWith(v)
        ? { ok: v }
        : { error: 'is not a real calendar date' };
    }
    case 'enum': {
      const options = def.options ? (JSON.parse(def.options) as string[]) : [];
      return typeof v === 'string' && options.includes(v)
        ? { ok: v }
        : { error: `must be one of: ${options.join(', ')}` };
    }
    default:
      return { ok: v };
  }
}

function checkDefinition(type: string, options: string[] | null | undefined, errors: FieldError[]) {
  if (type === 'int_enum') {
    if (!options || options.length === 0)
      errors.push({ field: 'options', message: 'an int_enum field needs at least one option' });
    else
      options.forEach((o, i) => {
        if (!/^-?\d{1,15}$/.test(o))
          errors.push({ field: `options.${i}`, message: 'must be an integer, e.g. "3"' });
      });
    if (options && new Set(options.map(Number)).size !== options.length)
      errors.push({ field: 'options', message: 'must not repeat a value' });
    return;
  }
  if (type === 'enum' && (!options || options.length === 0))
    errors.push({ field: 'options', message: 'an enum field needs at least one option' });
  if (type !== 'enum' && options && options.length)
    errors.push({ field: 'options', message: 'only enum fields have options' });
  if (options && new Set(options).size !== options.length)
    errors.push({ field: 'options', message: 'must not repeat a value' });
}

export function createCustomFieldService({ db, repo }: { db: Kysely<Database>; repo: ReasonRepository }) {
  async function load(orgId: number, key: string, trx: Kysely<Database> = db) {
    const def = await repo.findField(orgId, key, trx);
    if (!def) throw notFound('Custom field', key);
    return def;
  }

  return {
    async listCustomFields(auth: AuthContext, opts: TxOptions = {}): Promise<CustomFieldDto[]> {
      assertCan(auth, 'settings:read');
      return (await repo.listFields(auth.orgId, runner(db, opts))).map(toCustomFieldResponse);
    },

    async createCustomField(
      auth: AuthContext,
      input: CustomFieldInput & { label: string; type: FieldType },
      opts: TxOptions = {},
    ): Promise<CustomFieldDto> {
      assertCan(auth, 'settings:write');
      const errors: FieldError[] = [];
      checkDefinition(input.type, input.options, errors);
      if (errors.length)
        throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
      return inTransaction(db, opts, async (trx) => {
        if ((await repo.listFields(auth.orgId, trx)).length >= MAX_CUSTOM_FIELDS_PER_ORG) {
          throw new AppError(
            'unprocessable',
            `An organization has at most ${MAX_CUSTOM_FIELDS_PER_ORG} custom fields; delete one first.`,
            [{ field: 'key', message: `the limit of ${MAX_CUSTOM_FIELDS_PER_ORG} custom fields is reached` }],
          );
        }
        if (await repo.findField(auth.orgId, input.key, trx)) {
          throw new AppError('conflict', `A custom field "${input.key}" already exists.`, [
            { field: 'key', message: 'is already used' },
          ]);
        }
        const now = nowIso();
        const row = await repo.insertField(trx, {
          org_id: auth.orgId,
          key: input.key,
          label: input.label,
          type: input.type,
          options: input.type === 'enum' || input.type === 'int_enum' ? JSON.stringify(input.options) : null,
          required: input.required ? 1 : 0,
          position: input.position ?? (await repo.maxFieldPosition(auth.orgId, trx)) + 10,
          created_at: now,
          updated_at: now,
        });
        return toCustomFieldResponse(row);
      });
    },

    async updateCustomField(
      auth: AuthContext,
      key: string,
      patch: Omit<CustomFieldInput, 'key'>,
      opts: TxOptions = {},
    ): Promise<CustomFieldDto> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const def = await load(auth.orgId, key, trx);
        const type = patch.type ?? def.type;
        const options =
          patch.options !== undefined
            ? patch.options
            : def.options
              ? (JSON.parse(def.options) as string[])
              : null;
        const errors: FieldError[] = [];
        checkDefinition(type, type === 'enum' || type === 'int_enum' ? options : patch.options, errors);
        if (errors.length)
          throw new AppError(
            'unprocessable',
            errors.map((e) => `${e.field} ${e.message}`).join('; '),
            errors,
          );
        const row = await repo.updateField(trx, auth.orgId, def.id, {
          label: patch.label ?? def.label,
          type,
          options: type === 'enum' || type === 'int_enum' ? JSON.stringify(options) : null,
          required: patch.required === undefined ? def.required : patch.required ? 1 : 0,
          position: patch.position ?? def.position,
          updated_at: nowIso(),
        });
        return toCustomFieldResponse(row);
      });
    },

    /** Removes the definition; values already on leads stay, as free-form values. */
    async deleteCustomField(auth: AuthContext, key: string, opts: TxOptions = {}): Promise<void> {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) =>
        repo.deleteField(trx, auth.orgId, (await load(auth.orgId, key, trx)).id),
      );
    },

    /**
     * Returns the definition of `key`, creating it (type string unless told) when missing. For surfaces whose
     * clients send extended fields or UDFs without defining them first.
     */
    async ensureCustomField(
      orgId: number,
      input: CustomFieldInput,
      trx: Kysely<Database> = db,
    ): Promise<CustomFieldDto> {
      const existing = await repo.findField(orgId, input.key, trx);
      if (existing) return toCustomFieldResponse(existing);
      const now = nowIso();
      const type = input.type ?? 'string';
      const row = await repo.insertField(trx, {
        org_id: orgId,
        key: input.key,
        label: input.label ?? input.key,
        type,
        options: type === 'enum' || type === 'int_enum' ? JSON.stringify(input.options ?? []) : null,
        required: input.required ? 1 : 0,
        position: input.position ?? (await repo.maxFieldPosition(orgId, trx)) + 10,
        created_at: now,
        updated_at: now,
      });
      return toCustomFieldResponse(row);
    },

    /**
     * Validates custom field values for a lead write and returns the JSON to store. On create `existing` is
     * null and required fields must be present; on update the values merge into `existing` (null removes a
     * key). Keys with no definition are kept as sent. Problems go to `errors` as `custom_fields.<key>`.
     */
    async applyValues(
      orgId: number,
      incoming: Record<string, Value> | undefined,
      existing: Record<string, Value> | null,
      errors: FieldError[],
      trx: Kysely<Database> = db,
      /** The definitions when the caller has read them already (src/pipeline/catalog-snapshot.ts). */
      known?: CustomFieldDefRow[],
    ): Promise<string | undefined> {
      if (incoming === undefined && existing !== null) return undefined;
      const defs = new Map((known ?? (await repo.listFields(orgId, trx))).map((d) => [d.key, d]));
      const out: Record<string, Value> = { ...(existing ?? {}) };
      const zone = [...defs.values()].some((d) => d.type === 'datetime')
        ? await findOrgTimeZone(trx, orgId)
        : null;
      for (const [k, v] of Object.entries(incoming ?? {})) {
        const def = defs.get(k);
        if (v === null) {
          if (def?.required)
            errors.push({ field: `custom_fields.${k}`, message: `is required ("${def.label}")` });
          delete out[k];
          continue;
        }
        if (!def) {
          out[k] = v;
          continue;
        }
        const r = checkValue(def, v, zone);
        if ('error' in r) errors.push({ field: `custom_fields.${k}`, message: r.error });
        else out[k] = r.ok;
      }
      if (existing === null) {
        for (const def of defs.values()) {
          if (def.required && (out[def.key] === undefined || out[def.key] === null)) {
            errors.push({ field: `custom_fields.${def.key}`, message: `is required ("${def.label}")` });
          }
        }
      }
      return JSON.stringify(out);
    },

    /** Normalizes a `cf.<key>=value` list filter to what the stored JSON holds (numbers, booleans). */
    async normalizeFilter(orgId: number, key: string, value: string): Promise<string> {
      const def = await repo.findField(orgId, key);
      if (!def) return value;
      if (def.type === 'number') {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n)) throw fieldError(`cf.${key}`, 'must be a number');
        return String(n);
      }
      if (def.type === 'boolean') {
        if (value !== 'true' && value !== 'false') throw fieldError(`cf.${key}`, 'must be true or false');
      }
      return value;
    },
  };
}

export type CustomFieldService = ReturnType<typeof createCustomFieldService>;

/**
 * Turns changed lead columns into [field, new, old] for the field-change log, one entry per custom field key
 * (`custom_fields.trial_status`) rather than one opaque JSON blob, so the timeline can say what changed.
 */
export function expandFieldChanges(
  changes: Array<[string, unknown]>,
  current: Record<string, unknown>,
): Array<[string, unknown, unknown]> {
  const out: Array<[string, unknown, unknown]> = [];
  for (const [k, v] of changes) {
    if (k !== 'custom_fields') {
      out.push([k, v, current[k]]);
      continue;
    }
    const before = JSON.parse(String(current.custom_fields || '{}')) as Record<string, unknown>;
    const after = JSON.parse(String(v || '{}')) as Record<string, unknown>;
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
        out.push([`custom_fields.${key}`, after[key] ?? null, before[key] ?? null]);
    }
  }
  return out;
}
