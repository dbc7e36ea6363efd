import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { ReasonRepository, ReasonRow } from './reason.repository.js';
import { reasonCategories } from './status-rules.js';
import type { Category } from './default-statuses.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export interface ReasonDto {
  id: number;
  /** Its number within the organization (migration 0062). */
  number: number;
  text: string;
  /** Status categories the reason applies to; null = any. */
  categories: string[] | null;
  position: number;
  created_at: string;
}

export interface ReasonInput {
  text: string;
  categories?: Category[] | null;
  position?: number;
}

export function toReasonResponse(r: ReasonRow): ReasonDto {
  return {
    id: r.id,
    number: r.number,
    text: r.text,
    categories: reasonCategories(r),
    position: r.position,
    created_at: r.created_at,
  };
}

const normCategories = (c: Category[] | null | undefined) =>
  c && c.length ? JSON.stringify([...new Set(c)]) : null;

/** The reasons catalog: why leads are lost, put on hold, reopened... Ids are integers, stable for clients. */
export function createReasonService({ db, reasons }: { db: Kysely<Database>; reasons: ReasonRepository }) {
  async function load(orgId: number, id: number, trx: Kysely<Database> = db) {
    const r = await reasons.findLive(orgId, id, trx);
    if (!r) throw notFound('Reason', id);
    return r;
  }

  const conflict = (text: string) =>
    new AppError('conflict', `A reason "${text}" already exists.`, [
      { field: 'text', message: 'is already in the catalog' },
    ]);

  /** Adds a reason; undefined when a live one has the text (an upsert on the unique key, race-free). */
  async function insertIfNew(trx: Kysely<Database>, orgId: number, input: ReasonInput) {
    return reasons.insertIfNew(trx, {
      org_id: orgId,
      text: input.text,
      categories: normCategories(input.categories),
      position: input.position ?? (await reasons.maxPosition(orgId, trx)) + 10,
      created_at: nowIso(),
    });
  }

  async function insertOne(trx: Kysely<Database>, orgId: number, input: ReasonInput) {
    const row = await insertIfNew(trx, orgId, input);
    if (!row) throw conflict(input.text);
    return row;
  }

  return {
    /** Reasons usable for `category` (those for any category included), or all of them. */
    async listReasons(auth: AuthContext, opts: { category?: string } & TxOptions = {}): Promise<ReasonDto[]> {
      assertCan(auth, 'leads:read');
      const rows = (await reasons.list(auth.orgId, runner(db, opts))).map(toReasonResponse);
      return opts.category === undefined
        ? rows
        : rows.filter((r) => r.categories === null || r.categories.includes(opts.category!));
    },

    async getReason(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<ReasonDto> {
      assertCan(auth, 'leads:read');
      return toReasonResponse(await load(auth.orgId, id, runner(db, opts)));
    },

    async createReason(auth: AuthContext, input: ReasonInput, opts: TxOptions = {}): Promise<ReasonDto> {
      assertCan(auth, 'settings:write');
      return toReasonResponse(await inTransaction(db, opts, (trx) => insertOne(trx, auth.orgId, input)));
    },

    /** Several at once, all or nothing (the compatible API configures reasons as a list). */
    async createReasons(
      auth: AuthContext,
      inputs: ReasonInput[],
      opts: TxOptions = {},
    ): Promise<ReasonDto[]> {
      assertCan(auth, 'settings:write');
      const texts = inputs.map((i) => i.text);
      const dup = texts.find((t, i) => texts.indexOf(t) !== i);
      if (dup !== undefined)
        throw new AppError('unprocessable', `"${dup}" is listed twice.`, [
          { field: `[${texts.lastIndexOf(dup)}].text`, message: 'is listed twice' },
        ]);
      return inTransaction(db, opts, async (trx) => {
        const out: ReasonDto[] = [];
        for (const input of inputs) out.push(toReasonResponse(await insertOne(trx, auth.orgId, input)));
        return out;
      });
    },

    async updateReason(
      auth: AuthContext,
      id: number,
      patch: Partial<ReasonInput>,
      opts: TxOptions = {},
    ): Promise<ReasonDto> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const r = await load(auth.orgId, id, trx);
        if (
          patch.text !== undefined &&
          patch.text !== r.text &&
          (await reasons.findByText(auth.orgId, patch.text, trx))
        ) {
          throw conflict(patch.text);
        }
        return toReasonResponse(
          await reasons.update(trx, auth.orgId, r.id, {
            text: patch.text ?? r.text,
            categories: patch.categories !== undefined ? normCategories(patch.categories) : r.categories,
            position: patch.position ?? r.position,
          }),
        );
      });
    },

    /** Retires a reason: it can no longer be chosen, and the history that used it keeps its text. */
    async deleteReason(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<void> {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) =>
        reasons.update(trx, auth.orgId, (await load(auth.orgId, id, trx)).id, { deleted_at: nowIso() }),
      );
    },

    /** Finds a reason by its exact text or adds it (for imports and surfaces that send reason texts). */
    async ensureReason(
      orgId: number,
      text: string,
      categories: Category[] | null = null,
      opts: TxOptions = {},
    ): Promise<ReasonDto> {
      return inTransaction(db, opts, async (trx) => {
        const row =
          (await insertIfNew(trx, orgId, { text, categories })) ??
          (await reasons.findByText(orgId, text, trx));
        return toReasonResponse(row!);
      });
    },
  };
}

export type ReasonService = ReturnType<typeof createReasonService>;
