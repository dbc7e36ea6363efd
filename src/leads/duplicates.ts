import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../db/schema.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import { cachedOrgRead } from '../db/org-cache.js';

export interface DuplicateSetting {
  enabled: boolean;
  on_create: 'flag' | 'refuse';
  refuse_score: number;
}

/**
 * Exact-match duplicate detection (until the core has fuzzy matching): a live lead of the organization with one
 * of these emails (case-insensitive; the lead's email or any email row) or phones (digits of any phone row, or
 * the lead's phone/mobile as written). The organization turns the refusal on with `duplicate_check`.
 * The same setting says what every surface does with a likely duplicate (fuzzy, src/duplicates): flag it
 * (default) or refuse it with 409 from `refuse_score` on (migration 0160).
 */
export function createDuplicateService(db: Kysely<Database>) {
  async function get(auth: AuthContext, opts: TxOptions = {}): Promise<DuplicateSetting> {
    const q = runner(db, opts);
    const row = await cachedOrgRead(q, auth.orgId, 'duplicate_setting', () =>
      q
        .selectFrom('organizations')
        .select(['duplicate_check', 'duplicate_on_create', 'duplicate_refuse_score'])
        .where('id', '=', auth.orgId)
        .executeTakeFirst(),
    );
    return {
      enabled: row?.duplicate_check === 1,
      on_create: row?.duplicate_on_create === 'refuse' ? 'refuse' : 'flag',
      refuse_score: (row?.duplicate_refuse_score ?? 90) / 100,
    };
  }

  return {
    get,
    async enabled(auth: AuthContext, opts: TxOptions = {}): Promise<boolean> {
      return (await get(auth, opts)).enabled;
    },

    async set(auth: AuthContext, input: Partial<DuplicateSetting>, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const set = {
        ...(input.enabled !== undefined ? { duplicate_check: input.enabled ? 1 : 0 } : {}),
        ...(input.on_create !== undefined ? { duplicate_on_create: input.on_create } : {}),
        ...(input.refuse_score !== undefined
          ? { duplicate_refuse_score: Math.round(input.refuse_score * 100) }
          : {}),
      };
      // An empty body changes nothing and answers the setting as it is.
      if (Object.keys(set).length)
        await inTransaction(db, opts, (trx) =>
          trx.updateTable('organizations').set(set).where('id', '=', auth.orgId).execute(),
        );
      return get(auth, opts);
    },

    /** The id of the oldest live lead sharing an email or phone, or null. */
    async findDuplicate(
      auth: AuthContext,
      keys: { emails: string[]; phones: string[] },
      opts: TxOptions = {},
    ): Promise<number | null> {
      const q = runner(db, opts);
      const emails = [...new Set(keys.emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
      const digits = [...new Set(keys.phones.map((p) => p.replace(/\D/g, '')).filter((d) => d.length >= 4))];
      const raw = [...new Set(keys.phones.map((p) => p.trim()).filter(Boolean))];
      if (!emails.length && !digits.length) return null;
      const byPoint = await q
        .selectFrom('lead_contact_points as p')
        .innerJoin('leads as l', (j) => j.onRef('l.id', '=', 'p.lead_id').onRef('l.org_id', '=', 'p.org_id'))
        .select('l.id')
        .where('p.org_id', '=', auth.orgId)
        .where('l.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            ...(emails.length ? [eb.and([eb('p.kind', '=', 'email'), eb('p.value', 'in', emails)])] : []),
            ...(digits.length ? [eb.and([eb('p.kind', '=', 'phone'), eb('p.digits', 'in', digits)])] : []),
          ]),
        )
        .orderBy('l.id')
        .limit(1)
        .executeTakeFirst();
      if (byPoint) return byPoint.id;
      const byColumn = await q
        .selectFrom('leads')
        .select('id')
        .where('org_id', '=', auth.orgId)
        .where('deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            ...(emails.length ? [eb('email', 'in', emails)] : []),
            ...(raw.length ? [eb('phone', 'in', raw), eb('mobile', 'in', raw)] : []),
          ]),
        )
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return byColumn?.id ?? null;
    },
  };
}
export type DuplicateService = ReturnType<typeof createDuplicateService>;

const Fields = {
  enabled: Type.Boolean({
    description:
      'true: a lead created through seed 000 with the email or phone of an existing lead is refused',
  }),
  on_create: Type.Union([Type.Literal('flag'), Type.Literal('refuse')], {
    description:
      'What every surface (API, web app, web-to-lead, compatible APIs) does with a new lead that is a likely duplicate (src/duplicates): flag it (listed in GET /duplicates) or refuse it with 409',
  }),
  refuse_score: Type.Number({
    minimum: 0.5,
    maximum: 1,
    description: 'With on_create=refuse: the duplicate score (0.5..1) from which a new lead is refused',
  }),
};
const Body = Type.Object(Fields, { additionalProperties: false });
const PutBody = Type.Object(
  {
    enabled: Type.Optional(Fields.enabled),
    on_create: Type.Optional(Fields.on_create),
    refuse_score: Type.Optional(Fields.refuse_score),
  },
  { additionalProperties: false },
);

export function duplicateRoutes(svc: DuplicateService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['organization'];
    app.get(
      '/organization/duplicate-check',
      {
        schema: {
          tags,
          summary: 'Whether new leads that duplicate an existing lead are refused or flagged',
          response: { 200: Body, ...errorResponses(401) },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        assertCan(auth, 'leads:read');
        return svc.get(auth);
      },
    );
    app.put(
      '/organization/duplicate-check',
      {
        schema: {
          tags,
          summary: 'Turn duplicate refusal on or off, and choose flag or refuse for likely duplicates',
          body: PutBody,
          response: { 200: Body, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => svc.set(requireAuth(req), req.body),
    );
  };
}
