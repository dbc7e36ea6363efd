import {
  CompiledQuery,
  sql,
  type Insertable,
  type Kysely,
  type Selectable,
  type Updateable,
  type SelectQueryBuilder,
  type ExpressionBuilder,
  type RawBuilder,
  type Compilable,
} from 'kysely';
import type { Database, LeadsTable, StatusHistoryTable } from '../db/schema.js';
import type { Dialect } from '../db/database.js';
import { createTagStore } from '../db/tag-store.js';
import { precompiled, precompiledShapes, type Shaper } from '../db/precompiled.js';
import { precompiledInsert } from '../db/precompiled-insert.js';

type Q = Kysely<Database>;
export type LeadRow = Selectable<LeadsTable>;
export type LeadInsert = Insertable<LeadsTable>;
export type LeadUpdate = Updateable<LeadsTable>;

/** Every stored column of a lead (never the PostgreSQL search vector). */
export const LEAD_COLUMNS = [
  'id',
  'org_id',
  'first_name',
  'last_name',
  'civility',
  'title',
  'job_title',
  'email',
  'phone',
  'mobile',
  'company_name',
  'website',
  'source',
  'status_id',
  'sub_status_id',
  'owner_id',
  'value_cents',
  'currency',
  'probability',
  'rating',
  'priority',
  'importance',
  'description',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'postal_code',
  'country',
  'locale',
  'birth_date',
  'external_id',
  'expected_close_date',
  'custom_fields',
  'next_follow_up_at',
  'last_follow_up_at',
  'status_changed_at',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'deleted_at',
  'version',
  'team_id',
  // accounts (0020): linked company and conversion
  'company_id',
  'converted_at',
  'converted_by',
  'converted_company_id',
  'converted_contact_id',
  'converted_opportunity_id',
  // catalogs (0090)
  'lead_type_id',
  'category_id',
  'source_id',
  'privacy_level_id',
  'importance_level_id',
  'product_category_id',
  'project_id',
  'estimated_completion_value',
  'estimated_completion_unit',
  'assignment_rule_id',
  // scoring (0180, src/scoring)
  'score',
  'score_factors',
  // duplicates (0160)
  'merged_into_id',
] as const satisfies readonly (keyof LeadsTable)[];

const SORT_COLUMN = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  value: 'value_cents',
  last_name: 'last_name',
  score: 'score',
} as const;
/**
 * Columns the list sorts by besides the indexed four above (the web list sorts by any column): text ones compare
 * case-folded, all may be empty (nulls last either way). A custom field sorts as `cf.<key>`.
 */
export const EXTRA_SORTS = {
  first_name: 'text',
  email: 'text',
  company_name: 'text',
  source: 'text',
  city: 'text',
  phone: 'text',
  next_follow_up_at: 'plain',
  last_follow_up_at: 'plain',
  status_changed_at: 'plain',
  // Computed (src/leads/lead.repository.ts, sortExpression): the status's place in the org's pipeline (its
  // `position`, as the board and settings order them), the owner's name case-folded, and the lead's first tag
  // alphabetically (case-folded); no owner or no tag comes last.
  status: 'status',
  owner: 'owner',
  tags: 'tags',
} as const;
export type SortKey = keyof typeof SORT_COLUMN | keyof typeof EXTRA_SORTS | `cf.${string}`;

export interface LeadFilter {
  statusIds?: number[];
  subStatusIds?: number[];
  source?: string;
  ownerId?: number;
  teamId?: number;
  leadTypeId?: number;
  companyId?: number;
  contactId?: number;
  /** Leads this user holds in any role (userRole unset) or in userRole (owner: owner_id). */
  userId?: number;
  userRole?: string;
  /** Agents: only leads this user holds in any role or that one of their teams holds (lead_users, lead_teams). */
  visibleTo?: number;
  tag?: string;
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  /** Search terms (letters and digits only), each matched as a prefix. */
  terms?: string[];
  deleted?: boolean;
  customFields?: Array<{ key: string; value: string }>;
  /** Hide converted leads (converted by POST /leads/:id/convert, or moved to a "converted" status). */
  excludeConverted?: boolean;
  updatedBefore?: string;
  /** Text filters: each value exact (case-insensitive) or a `*` wildcard; several values are OR. */
  text?: Array<{ field: TextField; values: string[] }>;
  /** Ranges on lead columns (instants as stored ISO text, value in cents). */
  ranges?: Array<{ column: RangeColumn; op: RangeOp; value: string | number }>;
  /** Ranges on custom fields: `as` says how the stored JSON value compares. */
  customRanges?: Array<{
    key: string;
    op: RangeOp;
    value: string | number;
    as: 'number' | 'date' | 'instant';
  }>;
  /** The custom field equals value, or the lead has none (absent means the default). */
  customOrAbsent?: Array<{ key: string; value: string }>;
  /** Lead scoring: a score at least this (unscored leads left out). */
  scoreGte?: number;
}

export const TEXT_FILTERS = [
  'first_name',
  'last_name',
  'name',
  'title',
  'email',
  'phone',
  'city',
  'postal_code',
  'company',
] as const;
export type TextField = (typeof TEXT_FILTERS)[number];
export const RANGE_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
export type RangeOp = keyof typeof RANGE_OPS;
export const RANGE_COLUMNS = ['created_at', 'updated_at', 'converted_at', 'value_cents'] as const;
export type RangeColumn = (typeof RANGE_COLUMNS)[number];

export interface ListPage {
  sort: SortKey;
  /** For a `cf.<key>` sort: the field holds numbers (compared as numbers, not as text). */
  sortNumeric?: boolean;
  desc: boolean;
  limit: number;
  after?: { v: string | number | null; id: number };
  /** Rows to skip (offset paging), after the cursor if there is one. */
  offset?: number;
}

/** What one list statement is built from (leads.list). */
interface ListInput {
  orgId: number;
  f: LeadFilter;
  page: ListPage;
  /** How a search restricts the page (decided per call, never cached). */
  plan: SearchPlan;
}

/**
 * How a search restricts the list (leads.list decides per call). `walk`: SQLite search with many matches, walk
 * the sort index. `ids`: PostgreSQL search with few matches, this organization's matching ids, read from the GIN
 * index first.
 */
type SearchPlan = { walk?: boolean; ids?: number[] };

/** Filter keys the list's builder only binds (or tests for presence): one compiled statement serves any value. */
const LIST_BOUND = [
  'ownerId',
  'teamId',
  'leadTypeId',
  'companyId',
  'contactId',
  'userId',
  'visibleTo',
  'tag',
  'source',
  'createdAfter',
  'createdBefore',
  'updatedAfter',
  'updatedBefore',
  'scoreGte',
] as const satisfies ReadonlyArray<keyof LeadFilter>;
/** Filter keys the builder branches on by value: part of the shape. */
const LIST_KEYED = ['deleted', 'excludeConverted', 'userRole'] as const satisfies ReadonlyArray<
  keyof LeadFilter
>;
const LIST_LISTS = ['statusIds', 'subStatusIds'] as const satisfies ReadonlyArray<keyof LeadFilter>;
const LIST_SHAPED = new Set<string>([...LIST_BOUND, ...LIST_KEYED, ...LIST_LISTS]);

/**
 * The list's input with stand-ins for what the builder only binds (src/db/precompiled.ts, `precompiledShapes`).
 * Not described (built every time, as before): searches (the FTS walk is decided per call), text, range and
 * custom-field filters (their builders branch on values: wildcards, operators, JSON paths) and custom-field sorts.
 */
function listStandIn({ orgId, f, page, plan }: ListInput, s: Shaper): ListInput | undefined {
  if (plan.walk || plan.ids || page.sort.startsWith('cf.')) return undefined;
  for (const k in f) if (f[k as keyof LeadFilter] !== undefined && !LIST_SHAPED.has(k)) return undefined;
  // The nulls-last sorts add the offset to the limit (listNullsLast): both shape those statements.
  const nullsLast = page.sort === 'value' || page.sort === 'last_name' || page.sort === 'score';
  const count = nullsLast ? s.keyed : s.bound;
  const g: Record<string, unknown> = {};
  for (const k of LIST_LISTS) g[k] = s.list(f[k]);
  for (const k of LIST_KEYED) g[k] = s.keyed(f[k]);
  for (const k of LIST_BOUND) g[k] = s.bound(f[k]);
  return {
    orgId: s.bound(orgId),
    f: g as LeadFilter,
    page: {
      sort: s.keyed(page.sort),
      sortNumeric: s.keyed(page.sortNumeric),
      desc: s.keyed(page.desc),
      limit: count(page.limit),
      // A cursor or none shapes the statement; its value and id are bound.
      after:
        s.keyed(page.after !== undefined) && page.after
          ? { v: s.bound(page.after.v), id: s.bound(page.after.id) }
          : undefined,
      offset: count(page.offset),
    },
    plan: {},
  };
}

/** What a stored datetime custom field looks like (PostgreSQL casts only these to timestamptz). */
const INSTANT_RE = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$';

/** A `*` wildcard value as a LIKE pattern (`%` and `_` taken literally). */
function likePattern(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/**
 * Above this many full-text matches, search walks the sort index instead of fetching the matches by id (SQLite:
 * matches of all organizations; PostgreSQL: of the organization).
 */
const FTS_LOOKUP_MAX = 2000;
const ftsMatch = (terms: string[]) => terms.map((t) => `"${t}"*`).join(' ');

/** PostgreSQL: every term as a prefix, all required. */
const tsQuery = (terms: string[]) => terms.map((t) => `${t.toLowerCase()}:*`).join(' & ');

/** Splits a search string into the letter/digit terms the full-text indexes hold. */
export function searchTerms(q: string): string[] {
  return (q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
}

/** Agent visibility: the user holds the lead in any role, or one of their teams holds it (primary or not). */
export function visibleExpr(eb: ExpressionBuilder<Database, 'leads'>, orgId: number, userId: number) {
  const myTeams = eb
    .selectFrom('team_members')
    .select('team_members.team_id')
    .where('team_members.org_id', '=', orgId)
    .where('team_members.user_id', '=', userId);
  return eb.or([
    eb('leads.owner_id', '=', userId),
    eb('leads.team_id', 'in', myTeams),
    eb(
      'leads.id',
      'in',
      eb
        .selectFrom('lead_users')
        .select('lead_users.lead_id')
        .where('lead_users.org_id', '=', orgId)
        .where('lead_users.user_id', '=', userId),
    ),
    eb(
      'leads.id',
      'in',
      eb
        .selectFrom('lead_teams')
        .select('lead_teams.lead_id')
        .where('lead_teams.org_id', '=', orgId)
        .where('lead_teams.team_id', 'in', myTeams),
    ),
  ]);
}

/** The lead columns a bulk create (imports) writes, with their PostgreSQL types (for the unnest() insert). */
export const BULK_LEAD_COLUMNS = [
  ['org_id', 'int'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['civility', 'text'],
  ['title', 'text'],
  ['job_title', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['mobile', 'text'],
  ['company_name', 'text'],
  ['website', 'text'],
  ['source', 'text'],
  ['status_id', 'int'],
  ['owner_id', 'int'],
  ['value_cents', 'bigint'],
  ['currency', 'text'],
  ['probability', 'int'],
  ['rating', 'int'],
  ['priority', 'int'],
  ['importance', 'int'],
  ['description', 'text'],
  ['address_line1', 'text'],
  ['address_line2', 'text'],
  ['city', 'text'],
  ['state', 'text'],
  ['postal_code', 'text'],
  ['country', 'text'],
  ['locale', 'text'],
  ['birth_date', 'text'],
  ['external_id', 'text'],
  ['expected_close_date', 'text'],
  ['custom_fields', 'text'],
  ['status_changed_at', 'text'],
  ['created_at', 'text'],
  ['updated_at', 'text'],
  ['created_by', 'int'],
  ['updated_by', 'int'],
  ['version', 'int'],
] as const;
export type BulkLeadColumn = (typeof BULK_LEAD_COLUMNS)[number][0];
export type BulkLeadRow = Record<BulkLeadColumn, string | number | null>;

export function createLeadRepository(db: Q, dialect: Dialect) {
  const leadTags = createTagStore(db, 'lead_tags');
  // A create's writes, built once per column list (src/db/precompiled-insert.ts): they run inside the write lock.
  const insertLead = precompiledInsert((q, rows: LeadInsert[]) =>
    q.insertInto('leads').values(rows).returning(LEAD_COLUMNS),
  );
  const insertHistory = precompiledInsert((q, rows: Array<Insertable<StatusHistoryTable>>) =>
    q.insertInto('status_history').values(rows).returningAll(),
  );
  const insertSqlCache = new Map<number, string>();
  // Every lead response reads its lead by id: built once (src/db/precompiled.ts).
  const byId = precompiled((q, orgId: number, id: number) =>
    q.selectFrom('leads').select(LEAD_COLUMNS).where('org_id', '=', orgId).where('id', '=', id),
  );

  /** One multi-row INSERT per batch, compiled by hand once per size: Kysely's builder costs too much per row here. */
  function bulkInsertQuery(rows: BulkLeadRow[]): CompiledQuery {
    const cols = BULK_LEAD_COLUMNS.map(([c]) => c);
    if (dialect === 'postgres') {
      const text = `INSERT INTO leads (${cols.join(', ')}) SELECT * FROM unnest(${BULK_LEAD_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) RETURNING id`;
      const params = BULK_LEAD_COLUMNS.map(([c]) => rows.map((r) => r[c]));
      return CompiledQuery.raw(text, params);
    }
    let text = insertSqlCache.get(rows.length);
    if (!text) {
      const one = `(${cols.map(() => '?').join(', ')})`;
      text = `INSERT INTO leads (${cols.join(', ')}) VALUES ${Array(rows.length).fill(one).join(', ')} RETURNING id`;
      insertSqlCache.set(rows.length, text);
    }
    const params: unknown[] = [];
    for (const r of rows) for (const c of cols) params.push(r[c]);
    return CompiledQuery.raw(text, params);
  }
  /** SQLite: whether a search matches more than FTS_LOOKUP_MAX leads of all organizations (stops counting there). */
  async function ftsMatchesMany(terms: string[]): Promise<boolean> {
    const r = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM (SELECT 1 FROM leads_fts WHERE leads_fts MATCH ${ftsMatch(terms)} LIMIT ${FTS_LOOKUP_MAX + 1})`.execute(
      db,
    );
    return Number(r.rows[0].n) > FTS_LOOKUP_MAX;
  }

  /**
   * PostgreSQL: this organization's leads matching a search, read from the GIN index alone, or undefined when
   * there are more than FTS_LOOKUP_MAX (stops there). The planner's estimate of a prefix query (`'zoe':*`) has
   * little to do with the term (the statistics count whole words, not prefixes), so left to itself it may walk the
   * organization's sort index to fill a page a rare term never fills (seconds at 300,000 leads). Here sequential and plain index scans are off for
   * this one statement (SET LOCAL, in its own short transaction): what is left is a bitmap scan of the GIN index.
   */
  async function tsMatchIds(orgId: number, tsq: string): Promise<number[] | undefined> {
    // Inside a caller's transaction the settings would outlive this statement: the planner's choice then.
    if (db.isTransaction) return undefined;
    return db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)`.execute(
        trx,
      );
      const r = await sql<{
        id: number;
      }>`SELECT id FROM leads WHERE org_id = ${orgId} AND search @@ to_tsquery('simple', ${tsq}) LIMIT ${FTS_LOOKUP_MAX + 1}`.execute(
        trx,
      );
      return r.rows.length > FTS_LOOKUP_MAX ? undefined : r.rows.map((x) => x.id);
    });
  }

  /** A custom field's value as text, as PostgreSQL's ->> spells it (null when absent or JSON null). */
  function cfText(key: string) {
    const path = `$.${key}`;
    return dialect === 'postgres'
      ? sql<string>`(leads.custom_fields::jsonb ->> ${key})`
      : // json_extract turns JSON booleans into 1/0; spell them as PostgreSQL's ->> does.
        sql<string>`CASE json_type(leads.custom_fields, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(leads.custom_fields, ${path}) AS TEXT) END`;
  }

  /** Case-folded text (Unicode on both: SQLite's lower() folds ASCII only, so src/db/database.ts adds lf_lower). */
  const fold = (e: RawBuilder<unknown>) => (dialect === 'postgres' ? sql`lower(${e})` : sql`lf_lower(${e})`);

  /** The value a non-indexed sort orders by: a folded text column, a plain column, or a custom field. */
  function sortExpression(page: ListPage): RawBuilder<unknown> {
    const key = page.sort;
    if (key.startsWith('cf.')) {
      const name = key.slice(3);
      if (!page.sortNumeric) return fold(cfText(name));
      return dialect === 'postgres'
        ? sql`(CASE WHEN jsonb_typeof(leads.custom_fields::jsonb -> ${name}) = 'number' THEN (leads.custom_fields::jsonb ->> ${name})::numeric END)`
        : sql`(CASE WHEN json_type(leads.custom_fields, ${`$.${name}`}) IN ('integer', 'real') THEN json_extract(leads.custom_fields, ${`$.${name}`}) END)`;
    }
    const kind = EXTRA_SORTS[key as keyof typeof EXTRA_SORTS];
    // The pipeline order is (position, id), as GET /statuses lists it: one number keeps ties between statuses
    // apart (positions are at most 1,000,000, so this stays below 2^53).
    if (kind === 'status')
      return sql`(SELECT ${dialect === 'postgres' ? sql`st.position::bigint` : sql`st.position`} * 4294967296 + st.id FROM statuses st WHERE st.id = leads.status_id AND st.org_id = leads.org_id)`;
    if (kind === 'owner')
      return sql`(SELECT ${fold(sql`NULLIF(u.name, '')`)} FROM users u WHERE u.id = leads.owner_id)`;
    if (kind === 'tags')
      return sql`(SELECT MIN(${fold(sql`lt.tag`)}) FROM lead_tags lt WHERE lt.org_id = leads.org_id AND lt.lead_id = leads.id)`;
    const ref = sql.ref(`leads.${key}`);
    return kind === 'text' ? fold(sql`NULLIF(${ref}, '')`) : sql`${ref}`;
  }

  /**
   * The list ordered by any column or custom field (nulls last both ways), keyset-paged on (value, id): the value
   * comes back as `sort_v` for the next cursor.
   */
  function listByExpression(orgId: number, f: LeadFilter, page: ListPage, plan: SearchPlan) {
    const expr = sortExpression(page);
    const dir = sql.raw(page.desc ? 'desc' : 'asc');
    let q = applyFilter(
      db
        .selectFrom('leads')
        .select(LEAD_COLUMNS.map((c) => `leads.${c}` as const))
        .select(sql<string | number | null>`${expr}`.as('sort_v')),
      orgId,
      f,
      plan,
    );
    if (page.after) {
      const { v, id } = page.after;
      const cmp = sql.raw(page.desc ? '<' : '>');
      q =
        v === null
          ? q.where(sql<boolean>`${expr} IS NULL`).where('leads.id', page.desc ? '<' : '>', id)
          : q.where(sql<boolean>`(${expr} IS NULL OR (${expr}, leads.id) ${cmp} (${v}, ${id}))`);
    }
    q = q
      .orderBy(sql`${expr} IS NULL`)
      .orderBy(sql`${expr} ${dir}`)
      .orderBy(sql`leads.id ${dir}`)
      .limit(page.limit);
    return page.offset ? q.offset(page.offset) : q;
  }

  /**
   * The list by a nullable column, nulls last in both directions (ties and nulls by id, in the same direction),
   * keyset-paged on (value, id). One ORDER BY cannot say that and still follow an index in both directions
   * (`col IS NULL, col DESC, id DESC` mixes directions), so every such page sorted the whole organization. Here
   * the leads with a value and the leads without are two branches, each walking `(org_id, col, id)` in its own
   * order (the nulls' branch orders by `col, id` too: all its `col` are null, so that is the id's order, and the
   * planners see the index's order in it), at most a page each; the outer ORDER BY puts the two together.
   */
  function listNullsLast(
    orgId: number,
    f: LeadFilter,
    page: ListPage,
    col: 'value_cents' | 'last_name' | 'score',
    plan: SearchPlan,
  ): Compilable<LeadRow> {
    const dir = page.desc ? 'desc' : 'asc';
    const cmp = page.desc ? '<' : '>';
    const ref = sql.ref(`leads.${col}`);
    const take = page.limit + (page.offset ?? 0);
    const branch = (nulls: boolean) =>
      applyFilter(
        db.selectFrom('leads').select(LEAD_COLUMNS.map((c) => `leads.${c}` as const)),
        orgId,
        f,
        plan,
      )
        .where(`leads.${col}`, nulls ? 'is' : 'is not', null)
        .orderBy(`leads.${col}`, dir)
        .orderBy('leads.id', dir);
    const after = page.after;
    // After a null only nulls with a further id remain: one branch.
    if (after && after.v === null) {
      const q = branch(true).where('leads.id', cmp, after.id).limit(page.limit);
      return page.offset ? q.offset(page.offset) : q;
    }
    let values = branch(false);
    if (after)
      values = values.where(sql<boolean>`(${ref}, leads.id) ${sql.raw(cmp)} (${after.v}, ${after.id})`);
    const both = db
      .selectFrom(values.limit(take).as('a'))
      .selectAll()
      .unionAll(db.selectFrom(branch(true).limit(take).as('b')).selectAll());
    const q = db
      .selectFrom(both.as('u'))
      .selectAll()
      .orderBy(sql`${sql.ref(`u.${col}`)} IS NULL`)
      .orderBy(`u.${col}`, dir)
      .orderBy('u.id', dir)
      .limit(page.limit);
    return (page.offset ? q.offset(page.offset) : q) as unknown as Compilable<LeadRow>;
  }

  /** `expr` matches one of `values`: exact (folded) or a LIKE pattern when the value holds `*`. */
  function matchAny(expr: RawBuilder<unknown>, values: string[]) {
    const parts = values.map((v) =>
      v.includes('*')
        ? sql<boolean>`${fold(expr)} LIKE ${fold(sql.val(likePattern(v)))} ESCAPE '\\'`
        : sql<boolean>`${fold(expr)} = ${fold(sql.val(v))}`,
    );
    return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
  }

  /** Digits of a phone column (the separators people write), to compare with the digits asked for. */
  const digitsOf = (col: string) => {
    let e: RawBuilder<unknown> = sql.ref(col);
    for (const c of [' ', '-', '.', '(', ')', '+', '/']) e = sql`replace(${e}, ${sql.lit(c)}, '')`;
    return e;
  };

  function textExpr(
    eb: ExpressionBuilder<Database, 'leads'>,
    orgId: number,
    field: TextField,
    values: string[],
  ) {
    const col = (c: string) => sql.ref(`leads.${c}`) as RawBuilder<unknown>;
    const points = (kind: 'email' | 'phone', match: RawBuilder<boolean>) =>
      eb(
        'leads.id',
        'in',
        eb
          .selectFrom('lead_contact_points')
          .select('lead_contact_points.lead_id')
          .where('lead_contact_points.org_id', '=', orgId)
          .where('lead_contact_points.kind', '=', kind)
          .where(match),
      );
    switch (field) {
      case 'name':
        return eb.or([
          matchAny(col('first_name'), values),
          matchAny(col('last_name'), values),
          matchAny(sql`${col('first_name')} || ' ' || ${col('last_name')}`, values),
        ]);
      case 'email':
        return eb.or([
          matchAny(col('email'), values),
          points('email', matchAny(sql.ref('lead_contact_points.value'), values)),
        ]);
      case 'phone': {
        // Digits compared; a value without any digit matches nothing.
        const exact = values.filter((v) => !v.includes('*'));
        const wild = values.filter((v) => v.includes('*'));
        const match = (e: RawBuilder<unknown>) =>
          sql<boolean>`(${sql.join(
            [
              ...exact.map((v) => sql<boolean>`${e} = ${v}`),
              ...wild.map((v) => sql<boolean>`${e} LIKE ${likePattern(v)} ESCAPE '\\'`),
            ],
            sql` OR `,
          )})`;
        return eb.or([
          match(digitsOf('leads.phone')),
          match(digitsOf('leads.mobile')),
          points('phone', match(sql.ref('lead_contact_points.digits'))),
        ]);
      }
      case 'company':
        return eb.or([
          matchAny(col('company_name'), values),
          eb(
            'leads.company_id',
            'in',
            eb
              .selectFrom('companies')
              .select('companies.id')
              .where('companies.org_id', '=', orgId)
              .where(matchAny(sql.ref('companies.name'), values)),
          ),
        ]);
      default:
        return matchAny(col(field), values);
    }
  }

  /** A custom field compared as a number, a date (text) or an instant (its offset taken into account). */
  function customRangeExpr(r: NonNullable<LeadFilter['customRanges']>[number]) {
    const op = sql.raw(RANGE_OPS[r.op]);
    const path = `$.${r.key}`;
    if (r.as === 'number')
      return dialect === 'postgres'
        ? // Guarded casts: a value stored before the field's type changed must not fail the whole query.
          sql<boolean>`(CASE WHEN jsonb_typeof(leads.custom_fields::jsonb -> ${r.key}) = 'number' THEN (leads.custom_fields::jsonb ->> ${r.key})::numeric END) ${op} ${r.value}`
        : sql<boolean>`CAST(json_extract(leads.custom_fields, ${path}) AS REAL) ${op} ${r.value}`;
    if (r.as === 'date')
      return dialect === 'postgres'
        ? sql<boolean>`(leads.custom_fields::jsonb ->> ${r.key}) ${op} ${r.value}`
        : sql<boolean>`json_extract(leads.custom_fields, ${path}) ${op} ${r.value}`;
    return dialect === 'postgres'
      ? sql<boolean>`(CASE WHEN (leads.custom_fields::jsonb ->> ${r.key}) ~ ${INSTANT_RE} THEN (leads.custom_fields::jsonb ->> ${r.key})::timestamptz END) ${op} ${r.value}::timestamptz`
      : sql<boolean>`julianday(json_extract(leads.custom_fields, ${path})) ${op} julianday(${r.value})`;
  }

  function applyFilter<O>(
    qb: SelectQueryBuilder<Database, 'leads', O>,
    orgId: number,
    f: LeadFilter,
    plan: SearchPlan = {},
  ) {
    let q = qb.where('leads.org_id', '=', orgId);
    q = f.deleted ? q.where('leads.deleted_at', 'is not', null) : q.where('leads.deleted_at', 'is', null);
    // Merged leads stay readable by id only (src/duplicates).
    q = q.where('leads.merged_into_id', 'is', null);
    if (f.statusIds) q = q.where('leads.status_id', 'in', f.statusIds.length ? f.statusIds : [-1]);
    if (f.subStatusIds)
      q = q.where('leads.sub_status_id', 'in', f.subStatusIds.length ? f.subStatusIds : [-1]);
    if (f.excludeConverted) {
      q = q
        .where('leads.converted_at', 'is', null)
        .where('leads.status_id', 'not in', (eb) =>
          eb
            .selectFrom('statuses')
            .select('statuses.id')
            .where('statuses.org_id', '=', orgId)
            .where('statuses.category', '=', 'converted'),
        );
    }
    // Case-insensitive ("Web" finds "web"), as people type sources by hand.
    if (f.source !== undefined)
      q = q.where(sql<boolean>`${fold(sql.ref('leads.source'))} = ${fold(sql.val(f.source))}`);
    if (f.ownerId !== undefined) q = q.where('leads.owner_id', '=', f.ownerId);
    if (f.leadTypeId !== undefined) q = q.where('leads.lead_type_id', '=', f.leadTypeId);
    if (f.teamId !== undefined) {
      const teamId = f.teamId;
      q = q.where((eb) =>
        eb.or([
          eb('leads.team_id', '=', teamId),
          eb(
            'leads.id',
            'in',
            eb
              .selectFrom('lead_teams')
              .select('lead_teams.lead_id')
              .where('lead_teams.org_id', '=', orgId)
              .where('lead_teams.team_id', '=', teamId),
          ),
        ]),
      );
    }
    if (f.userId !== undefined || f.userRole !== undefined) {
      const { userId, userRole } = f;
      const inRoles = (eb: ExpressionBuilder<Database, 'leads'>) => {
        let sub = eb
          .selectFrom('lead_users')
          .select('lead_users.lead_id')
          .where('lead_users.org_id', '=', orgId);
        if (userId !== undefined) sub = sub.where('lead_users.user_id', '=', userId);
        if (userRole !== undefined) sub = sub.where('lead_users.role', '=', userRole);
        return eb('leads.id', 'in', sub);
      };
      const asOwner = (eb: ExpressionBuilder<Database, 'leads'>) =>
        userId !== undefined ? eb('leads.owner_id', '=', userId) : eb('leads.owner_id', 'is not', null);
      if (userRole === 'owner') q = q.where(asOwner);
      else if (userRole !== undefined) q = q.where(inRoles);
      else q = q.where((eb) => eb.or([asOwner(eb), inRoles(eb)]));
    }
    if (f.companyId !== undefined) q = q.where('leads.company_id', '=', f.companyId);
    if (f.contactId !== undefined) {
      const contactId = f.contactId;
      q = q.where('leads.id', 'in', (eb) =>
        eb
          .selectFrom('lead_contacts')
          .select('lead_contacts.lead_id')
          .where('lead_contacts.org_id', '=', orgId)
          .where('lead_contacts.contact_id', '=', contactId),
      );
    }
    if (f.visibleTo !== undefined) {
      const userId = f.visibleTo;
      q = q.where((eb) => visibleExpr(eb, orgId, userId));
    }
    if (f.createdAfter) q = q.where('leads.created_at', '>=', f.createdAfter);
    if (f.createdBefore) q = q.where('leads.created_at', '<', f.createdBefore);
    if (f.updatedAfter) q = q.where('leads.updated_at', '>=', f.updatedAfter);
    if (f.updatedBefore) q = q.where('leads.updated_at', '<', f.updatedBefore);
    for (const t of f.text ?? []) q = q.where((eb) => textExpr(eb, orgId, t.field, t.values));
    for (const r of f.ranges ?? []) q = q.where(`leads.${r.column}`, RANGE_OPS[r.op], r.value);
    if (f.scoreGte !== undefined) q = q.where('leads.score', '>=', f.scoreGte);
    for (const r of f.customRanges ?? []) q = q.where(customRangeExpr(r));
    for (const cf of f.customOrAbsent ?? [])
      q = q.where((eb) => eb.or([eb(cfText(cf.key), '=', cf.value), eb(cfText(cf.key), 'is', null)]));
    if (f.tag !== undefined) {
      const tag = f.tag;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('lead_tags')
            .select(sql.lit(1).as('one'))
            .where('lead_tags.org_id', '=', orgId)
            .where('lead_tags.tag', '=', tag)
            .whereRef('lead_tags.lead_id', '=', 'leads.id'),
        ),
      );
    }
    for (const cf of f.customFields ?? []) q = q.where(cfText(cf.key), '=', cf.value);
    if (f.terms) {
      if (f.terms.length === 0) return q.where(sql.lit(false));
      if (dialect === 'postgres') {
        const tsq = tsQuery(f.terms);
        q = q.where(sql<boolean>`leads.search @@ to_tsquery('simple', ${tsq})`);
        // Few matches (tsMatchIds): fetch each by id, then sort; the match stays as a recheck.
        if (plan.ids) q = q.where(sql<boolean>`leads.id = ANY(${plan.ids}::bigint[])`);
      } else {
        const matches = sql<number>`(SELECT rowid FROM leads_fts WHERE leads_fts MATCH ${ftsMatch(f.terms)})`;
        // Few matches: fetch each by id, then sort. Many: walk the organization's index in the sort order and keep
        // the rows in the match set, which stops after one page; the unary + stops SQLite from choosing the
        // per-id lookups there (docs/scaling.md, "Search").
        q = plan.walk ? q.where(sql<number>`+leads.id`, 'in', matches) : q.where('leads.id', 'in', matches);
      }
    }
    return q;
  }

  /** The list's statement for a filter and page (leads.list). */
  function listQuery({ orgId, f, page, plan }: ListInput): Compilable<LeadRow> {
    if (!(page.sort in SORT_COLUMN))
      return listByExpression(orgId, f, page, plan) as unknown as Compilable<LeadRow>;
    const col = SORT_COLUMN[page.sort as keyof typeof SORT_COLUMN];
    const dir = page.desc ? 'desc' : 'asc';
    if (col === 'value_cents' || col === 'last_name' || col === 'score')
      return listNullsLast(orgId, f, page, col, plan);
    let q = applyFilter(
      db.selectFrom('leads').select(LEAD_COLUMNS.map((c) => `leads.${c}` as const)),
      orgId,
      f,
      plan,
    );
    if (page.after) {
      const { v, id } = page.after;
      const cmp = page.desc ? '<' : '>';
      q = q.where(sql<boolean>`(${sql.ref(`leads.${col}`)}, leads.id) ${sql.raw(cmp)} (${v}, ${id})`);
    }
    q = q.orderBy(`leads.${col}`, dir).orderBy('leads.id', dir).limit(page.limit);
    return page.offset ? q.offset(page.offset) : q;
  }
  // Building the 64-column list statement cost about as much CPU as SQLite running it (docs/performance.md).
  const listShapes = precompiledShapes((_q, input: ListInput) => listQuery(input), listStandIn);

  return {
    /** Whether an agent may see this lead (the same rule as the list's visibleTo). */
    async isVisibleTo(orgId: number, leadId: number, userId: number, trx: Q = db): Promise<boolean> {
      const r = await trx
        .selectFrom('leads')
        .select('leads.id')
        .where('leads.org_id', '=', orgId)
        .where('leads.id', '=', leadId)
        .where((eb) => visibleExpr(eb, orgId, userId))
        .executeTakeFirst();
      return r !== undefined;
    },

    /**
     * The list's filters and agent visibility applied to any query over `leads` (reports, bulk actions), so
     * every reader of "the leads this caller may see" shares one definition.
     */
    scope<O>(qb: SelectQueryBuilder<Database, 'leads', O>, orgId: number, f: LeadFilter) {
      return applyFilter(qb, orgId, f);
    },

    /** Many leads in one statement (the lead service's createMany); ids in the order of `rows`. */
    async insertMany(trx: Q, rows: BulkLeadRow[]): Promise<number[]> {
      if (rows.length === 0) return [];
      const r = await trx.executeQuery<{ id: number }>(bulkInsertQuery(rows));
      return r.rows.map((x) => Number(x.id));
    },

    /** The first status history entry of many new leads (`at[i]`: when it was reached, else `now`). */
    async insertFirstStatusMany(
      trx: Q,
      orgId: number,
      leadIds: number[],
      statusIds: number[],
      userId: number | null,
      now: string,
      at?: Array<string | null>,
    ): Promise<void> {
      if (leadIds.length === 0) return;
      if (dialect === 'postgres') {
        await trx.executeQuery(
          CompiledQuery.raw(
            'INSERT INTO status_history (org_id, lead_id, to_status_id, created_by, created_at) SELECT $1::int, l, s, $2::int, coalesce(a, $3::text) FROM unnest($4::int[], $5::int[], $6::text[]) AS t(l, s, a)',
            [orgId, userId, now, leadIds, statusIds, leadIds.map((_, i) => at?.[i] ?? null)],
          ),
        );
        return;
      }
      for (let i = 0; i < leadIds.length; i += 2000)
        await trx
          .insertInto('status_history')
          .values(
            leadIds.slice(i, i + 2000).map((id, k) => ({
              org_id: orgId,
              lead_id: id,
              to_status_id: statusIds[i + k],
              created_by: userId,
              created_at: at?.[i + k] ?? now,
            })),
          )
          .execute();
    },

    async insertTagRows(
      trx: Q,
      rows: Array<{ org_id: number; lead_id: number; tag: string }>,
    ): Promise<void> {
      for (let i = 0; i < rows.length; i += 5000)
        await trx
          .insertInto('lead_tags')
          .values(rows.slice(i, i + 5000))
          .execute();
    },

    async byIds(trx: Q, orgId: number, ids: number[]): Promise<LeadRow[]> {
      const out: LeadRow[] = [];
      for (let i = 0; i < ids.length; i += 1000)
        out.push(
          ...(await trx
            .selectFrom('leads')
            .select(LEAD_COLUMNS)
            .where('org_id', '=', orgId)
            .where('id', 'in', ids.slice(i, i + 1000))
            .orderBy('id')
            .execute()),
        );
      return out;
    },

    async insert(trx: Q, row: LeadInsert): Promise<LeadRow> {
      return (await insertLead(trx, [row]))[0] as LeadRow;
    },

    /**
     * `lock` (inside a transaction) holds the row until commit, so concurrent changes to one lead run one after
     * the other (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions are serialized already).
     */
    async findById(orgId: number, id: number, trx: Q = db, lock = false): Promise<LeadRow | undefined> {
      if (!(lock && dialect === 'postgres')) return (await byId(trx, orgId, id))[0];
      return trx
        .selectFrom('leads')
        .select(LEAD_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    /** Updates only when the stored version is `version`; returns the new row or undefined if it moved on. */
    async updateVersioned(
      trx: Q,
      orgId: number,
      id: number,
      version: number,
      set: LeadUpdate,
    ): Promise<LeadRow | undefined> {
      return trx
        .updateTable('leads')
        .set({ ...set, version: version + 1 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', version)
        .returning(LEAD_COLUMNS)
        .executeTakeFirst();
    },

    /** A page of the list: compiled once per shape of filter and page when `listShapes` describes them. */
    async list(orgId: number, f: LeadFilter, page: ListPage): Promise<LeadRow[]> {
      const input: ListInput = { orgId, f, page, plan: {} };
      const shaped = await listShapes.run(db, input);
      if (shaped) return shaped;
      if (f.terms?.length && dialect === 'sqlite') input.plan.walk = await ftsMatchesMany(f.terms);
      else if (f.terms?.length) {
        input.plan.ids = await tsMatchIds(orgId, tsQuery(f.terms));
        // No match in the organization: no page to read.
        if (input.plan.ids?.length === 0) return [];
      }
      return db.executeQuery(listQuery(input).compile()).then((r) => r.rows);
    },

    /**
     * The statement `list` sends for this filter and page (without a search's FTS walk choice): for tests. `ids`:
     * a PostgreSQL search's matches, as `list` passes them when there are few.
     */
    listStatement(
      orgId: number,
      f: LeadFilter,
      page: ListPage,
      built = false,
      ids?: number[],
    ): CompiledQuery<LeadRow> {
      const input: ListInput = { orgId, f, page, plan: { ids } };
      return (!built && listShapes.compile(db, input)) || listQuery(input).compile();
    },

    async count(orgId: number, f: LeadFilter): Promise<number> {
      const r = await applyFilter(
        db.selectFrom('leads').select((eb) => eb.fn.countAll<number>().as('n')),
        orgId,
        f,
      ).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    tagsFor: leadTags.tagsFor,
    replaceTags: leadTags.replaceTags,

    async insertFieldChanges(
      trx: Q,
      rows: Array<{
        org_id: number;
        lead_id: number;
        field: string;
        old_value: string | null;
        new_value: string | null;
        changed_by: number | null;
        changed_at: string;
      }>,
    ): Promise<void> {
      if (rows.length) await trx.insertInto('lead_field_changes').values(rows).execute();
    },

    async insertStatusHistory(
      trx: Q,
      row: {
        org_id: number;
        lead_id: number;
        from_status_id: number | null;
        to_status_id: number;
        sub_status_id: number | null;
        reason_id: number | null;
        note: string | null;
        created_by: number | null;
        created_at: string;
      },
    ) {
      // The row written, so a caller can name it (changeStatus returns it, surfaces keep refs to it).
      return trx.insertInto('status_history').values(row).returningAll().executeTakeFirstOrThrow();
    },

    /** Several entries of one log in one statement (a new lead's whole log), returned oldest first. */
    async insertStatusHistoryRows(trx: Q, rows: Array<Insertable<StatusHistoryTable>>) {
      if (rows.length === 0) return [];
      const written = await insertHistory(trx, rows);
      return written.sort((a, b) => a.id - b.id);
    },
  };
}

export type LeadRepository = ReturnType<typeof createLeadRepository>;
