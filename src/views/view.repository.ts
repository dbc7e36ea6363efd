import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import { runner, type TxOptions } from '../db/unit-of-work.js';
import type { SavedViewsTable } from './view.tables.js';

export type SavedViewRow = Selectable<SavedViewsTable>;
export type SavedViewValues = Pick<
  SavedViewRow,
  'name' | 'filters' | 'sort' | 'columns' | 'visibility' | 'team_id'
>;

/** Saved views: every query takes the organization first. */
export function createViewRepository(db: Kysely<Database>) {
  /** Views this user may see: their own, the organization's, and their teams'. */
  const visible = (orgId: number, userId: number | null, opts?: TxOptions) =>
    runner(db, opts)
      .selectFrom('saved_views')
      .selectAll()
      .where('org_id', '=', orgId)
      .where((eb) =>
        eb.or([
          ...(userId !== null ? [eb('owner_id', '=', userId)] : []),
          eb('visibility', '=', 'organization'),
          ...(userId !== null
            ? [
                eb.and([
                  eb('visibility', '=', 'team'),
                  eb(
                    'team_id',
                    'in',
                    eb
                      .selectFrom('team_members')
                      .select('team_members.team_id')
                      .where('team_members.org_id', '=', orgId)
                      .where('team_members.user_id', '=', userId),
                  ),
                ]),
              ]
            : []),
        ]),
      );

  return {
    listVisible(orgId: number, userId: number | null): Promise<SavedViewRow[]> {
      return visible(orgId, userId).orderBy('name').orderBy('id').execute();
    },

    findVisible(orgId: number, userId: number | null, id: number, opts?: TxOptions) {
      return visible(orgId, userId, opts).where('id', '=', id).executeTakeFirst();
    },

    async isTeamMember(orgId: number, teamId: number, userId: number, opts?: TxOptions) {
      const r = await runner(db, opts)
        .selectFrom('team_members')
        .select('team_id')
        .where('org_id', '=', orgId)
        .where('team_id', '=', teamId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r !== undefined;
    },

    async teamExists(orgId: number, teamId: number, opts?: TxOptions) {
      const r = await runner(db, opts)
        .selectFrom('teams')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', teamId)
        .executeTakeFirst();
      return r !== undefined;
    },

    insert(tx: Kysely<Database>, orgId: number, ownerId: number, v: SavedViewValues, now: string) {
      return tx
        .insertInto('saved_views')
        .values({ ...v, org_id: orgId, owner_id: ownerId, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    update(tx: Kysely<Database>, orgId: number, id: number, v: Partial<SavedViewValues>, now: string) {
      return tx
        .updateTable('saved_views')
        .set({ ...v, updated_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async remove(tx: Kysely<Database>, orgId: number, id: number) {
      await tx.deleteFrom('saved_views').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
  };
}

export type ViewRepository = ReturnType<typeof createViewRepository>;
