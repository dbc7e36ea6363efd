import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import { createTagStore } from '../db/tag-store.js';
import type { CompaniesTable } from './accounts.tables.js';
import { applyKeyset, applySearch, type KeysetPage } from './keyset.js';

type Q = Kysely<Database>;
export type CompanyRow = Selectable<CompaniesTable>;
export type CompanyInsert = Insertable<CompaniesTable>;
export type CompanyUpdate = Updateable<CompaniesTable>;

export interface CompanyFilter {
  /** Agent visibility from the access policy (src/access/policy.ts); absent: the whole organization. */
  visible?: (eb: ExpressionBuilder<Database, 'companies'>) => Expression<SqlBool>;
  industry?: string;
  ownerId?: number;
  domain?: string;
  tag?: string;
  terms?: string[];
}

export function createCompanyRepository(db: Q) {
  const tags = createTagStore(db, 'company_tags');
  return {
    async insert(trx: Q, row: CompanyInsert): Promise<CompanyRow> {
      return trx.insertInto('companies').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async findById(orgId: number, id: number, trx: Q = db): Promise<CompanyRow | undefined> {
      return trx
        .selectFrom('companies')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findLive(orgId: number, ids: number[], trx: Q = db): Promise<CompanyRow[]> {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('companies')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .where('deleted_at', 'is', null)
        .execute();
    },

    /** The oldest live company with this domain, else with this name: matching leads to companies. */
    async findMatch(
      orgId: number,
      domain: string | null,
      key: string | null,
      trx: Q = db,
    ): Promise<CompanyRow | undefined> {
      if (domain) {
        const byDomain = await trx
          .selectFrom('companies')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('domain', '=', domain)
          .where('deleted_at', 'is', null)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        if (byDomain) return byDomain;
      }
      if (!key) return undefined;
      return trx
        .selectFrom('companies')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('name_key', '=', key)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
    },

    async updateVersioned(
      trx: Q,
      orgId: number,
      id: number,
      version: number,
      set: CompanyUpdate,
    ): Promise<CompanyRow | undefined> {
      return trx
        .updateTable('companies')
        .set({ ...set, version: version + 1 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
    },

    async list(orgId: number, f: CompanyFilter, page: KeysetPage): Promise<CompanyRow[]> {
      let q = db
        .selectFrom('companies')
        .selectAll('companies')
        .where('companies.org_id', '=', orgId)
        .where('companies.deleted_at', 'is', null);
      if (f.visible) q = q.where(f.visible);
      if (f.industry !== undefined) q = q.where('companies.industry', '=', f.industry);
      if (f.ownerId !== undefined) q = q.where('companies.owner_id', '=', f.ownerId);
      if (f.domain !== undefined) q = q.where('companies.domain', '=', f.domain);
      if (f.tag !== undefined) {
        const tag = f.tag;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('company_tags')
              .select(sql.lit(1).as('one'))
              .where('company_tags.org_id', '=', orgId)
              .where('company_tags.tag', '=', tag)
              .whereRef('company_tags.company_id', '=', 'companies.id'),
          ),
        );
      }
      if (f.terms) q = applySearch(q, 'companies', f.terms);
      return applyKeyset(q, 'companies', page).execute();
    },

    tagsFor: tags.tagsFor,
    replaceTags: tags.replaceTags,
  };
}

export type CompanyRepository = ReturnType<typeof createCompanyRepository>;
