import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createActivityRepository } from '../activities/activity.repository.js';

type Q = Kysely<Database>;

/** Tables whose rows have their own id and belong to one lead: a merge moves them to the primary lead. */
export const MOVED_TABLES = [
  'follow_ups',
  'tasks',
  'comments',
  'attachments',
  'status_history',
  'lead_items',
] as const;
export type MovedTable = (typeof MOVED_TABLES)[number];

/** All SQL of merge and unmerge; every function takes the organization first and filters by it. */
export function createMergeRepository() {
  return {
    async rowIds(q: Q, table: MovedTable, orgId: number, leadIds: number[]) {
      const t = table as 'comments';
      return q
        .selectFrom(t)
        .select(['id', 'lead_id'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .orderBy('id')
        .execute();
    },

    async moveRows(q: Q, table: MovedTable, orgId: number, ids: number[], toLead: number) {
      if (ids.length === 0) return;
      const t = table as 'comments';
      await q
        .updateTable(t)
        .set({ lead_id: toLead })
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },

    async countFor(
      q: Q,
      table: MovedTable | 'lead_tags' | 'lead_contacts' | 'lead_teams' | 'lead_users' | 'lead_contact_points',
      orgId: number,
      leadId: number,
    ) {
      const t = table as 'comments';
      const r = await q
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async tags(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('lead_tags')
        .select(['lead_id', 'tag'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .execute();
    },
    async addTags(q: Q, orgId: number, leadId: number, tags: string[]) {
      if (tags.length)
        await q
          .insertInto('lead_tags')
          .values(tags.map((tag) => ({ org_id: orgId, lead_id: leadId, tag })))
          .execute();
    },
    async removeTags(q: Q, orgId: number, leadId: number, tags: string[]) {
      if (tags.length)
        await q
          .deleteFrom('lead_tags')
          .where('org_id', '=', orgId)
          .where('lead_id', '=', leadId)
          .where('tag', 'in', tags)
          .execute();
    },

    async contacts(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('lead_contacts')
        .select(['lead_id', 'contact_id'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .execute();
    },
    async addContacts(q: Q, orgId: number, leadId: number, contactIds: number[], now: string) {
      if (contactIds.length)
        await q
          .insertInto('lead_contacts')
          .values(
            contactIds.map((contact_id) => ({ org_id: orgId, lead_id: leadId, contact_id, created_at: now })),
          )
          .execute();
    },
    async removeContacts(q: Q, orgId: number, leadId: number, contactIds: number[]) {
      if (contactIds.length)
        await q
          .deleteFrom('lead_contacts')
          .where('org_id', '=', orgId)
          .where('lead_id', '=', leadId)
          .where('contact_id', 'in', contactIds)
          .execute();
    },

    async teams(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('lead_teams')
        .select(['lead_id', 'team_id', 'position'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .orderBy('position')
        .execute();
    },
    async addTeams(q: Q, orgId: number, leadId: number, teams: Array<{ team_id: number; position: number }>) {
      if (teams.length)
        await q
          .insertInto('lead_teams')
          .values(teams.map((t) => ({ org_id: orgId, lead_id: leadId, ...t })))
          .execute();
    },
    async removeTeams(q: Q, orgId: number, leadId: number, teamIds: number[]) {
      if (teamIds.length)
        await q
          .deleteFrom('lead_teams')
          .where('org_id', '=', orgId)
          .where('lead_id', '=', leadId)
          .where('team_id', 'in', teamIds)
          .execute();
    },

    async users(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('lead_users')
        .select(['id', 'lead_id', 'user_id', 'role'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .orderBy('id')
        .execute();
    },
    async moveUsers(q: Q, orgId: number, ids: number[], toLead: number) {
      if (ids.length)
        await q
          .updateTable('lead_users')
          .set({ lead_id: toLead })
          .where('org_id', '=', orgId)
          .where('id', 'in', ids)
          .execute();
    },

    async points(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('lead_contact_points')
        .select(['id', 'lead_id', 'kind', 'value', 'digits', 'is_primary', 'position'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .orderBy('position')
        .orderBy('id')
        .execute();
    },
    async movePoint(
      q: Q,
      orgId: number,
      id: number,
      set: { lead_id: number; is_primary: number; position: number },
    ) {
      await q
        .updateTable('lead_contact_points')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },

    async leadRefs(q: Q, orgId: number, leadIds: number[]) {
      return q
        .selectFrom('external_refs')
        .select(['id', 'entity_id', 'surface', 'name'])
        .where('org_id', '=', orgId)
        .where('entity', '=', 'lead')
        .where('entity_id', 'in', leadIds)
        .orderBy('id')
        .execute();
    },
    async moveRefs(q: Q, orgId: number, ids: number[], toLead: number) {
      if (ids.length)
        await q
          .updateTable('external_refs')
          .set({ entity_id: toLead })
          .where('org_id', '=', orgId)
          .where('id', 'in', ids)
          .execute();
    },

    /**
     * Brings each lead's last/next follow-up columns in line with the follow-ups it holds now (a merge moves
     * them between leads), one version up where they change: "my day" and the follow-up sort read these columns.
     */
    async syncFollowUpColumns(q: Q, orgId: number, ids: number[], userId: number | null, now: string) {
      const activities = createActivityRepository(q);
      const current = await q
        .selectFrom('leads')
        .select(['id', 'last_follow_up_at', 'next_follow_up_at'])
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
      for (const lead of current) {
        const { last, next } = await activities.followUpSummary(q, orgId, lead.id);
        if (last === lead.last_follow_up_at && next === lead.next_follow_up_at) continue;
        await q
          .updateTable('leads')
          .set((eb) => ({
            last_follow_up_at: last,
            next_follow_up_at: next,
            updated_at: now,
            updated_by: userId,
            version: eb('version', '+', 1),
          }))
          .where('org_id', '=', orgId)
          .where('id', '=', lead.id)
          .execute();
      }
    },

    /** Marks leads merged into `into` (null: no longer merged), one version up. */
    async setMergedInto(
      q: Q,
      orgId: number,
      ids: number[],
      into: number | null,
      userId: number | null,
      now: string,
    ) {
      await q
        .updateTable('leads')
        .set((eb) => ({
          merged_into_id: into,
          updated_at: now,
          updated_by: userId,
          version: eb('version', '+', 1),
        }))
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },

    async versions(q: Q, orgId: number, ids: number[]) {
      const rows = await q
        .selectFrom('leads')
        .select(['id', 'version', 'merged_into_id', 'deleted_at'])
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((r) => [r.id, r]));
    },

    async fieldChanges(
      q: Q,
      rows: Array<{
        org_id: number;
        lead_id: number;
        field: string;
        old_value: string | null;
        new_value: string | null;
        changed_by: number | null;
        changed_at: string;
      }>,
    ) {
      if (rows.length) await q.insertInto('lead_field_changes').values(rows).execute();
    },

    async insertMerge(
      q: Q,
      row: {
        org_id: number;
        primary_id: number;
        merged_ids: string;
        record: string;
        created_by: number | null;
        created_at: string;
      },
    ): Promise<number> {
      const r = await q.insertInto('lead_merges').values(row).returning('id').executeTakeFirstOrThrow();
      return r.id;
    },

    /** The last merge not undone that involves this lead (as primary or merged). */
    async lastMergeOf(q: Q, orgId: number, leadId: number) {
      const lead = await q
        .selectFrom('leads')
        .select('merged_into_id')
        .where('org_id', '=', orgId)
        .where('id', '=', leadId)
        .executeTakeFirst();
      const primary = lead?.merged_into_id ?? leadId;
      const rows = await q
        .selectFrom('lead_merges')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('primary_id', '=', primary)
        .where('undone_at', 'is', null)
        .orderBy('id', 'desc')
        .execute();
      if (lead?.merged_into_id)
        return rows.find((r) => (JSON.parse(r.merged_ids) as number[]).includes(leadId));
      return rows[0];
    },

    /** Merges undone or not, newer than `id`, with this primary. */
    async laterMerges(q: Q, orgId: number, primaryId: number, id: number) {
      return q
        .selectFrom('lead_merges')
        .select('id')
        .where('org_id', '=', orgId)
        .where('primary_id', '=', primaryId)
        .where('id', '>', id)
        .where('undone_at', 'is', null)
        .execute();
    },

    async markUndone(q: Q, orgId: number, id: number, userId: number | null, now: string) {
      await q
        .updateTable('lead_merges')
        .set({ undone_at: now, undone_by: userId })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },
  };
}
export type MergeRepository = ReturnType<typeof createMergeRepository>;
