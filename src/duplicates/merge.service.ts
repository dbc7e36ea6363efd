import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadRow } from '../leads/lead.repository.js';
import type { LeadDto, LeadPatchInput } from '../leads/lead.schema.js';
import { MOVED_TABLES, type MergeRepository, type MovedTable } from './merge.repository.js';
import { emitLeadMerged } from '../webhooks/events.js';

/** The lead fields a merge can take from any of the merged leads (`fields: { field: source_id }`). */
export const MERGE_FIELDS = [
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
  'description',
  'external_id',
  'owner_id',
  'value',
  'currency',
  'probability',
  'rating',
  'priority',
  'importance',
  'address',
  'locale',
  'birth_date',
  'expected_close_date',
] as const;
type MergeField = (typeof MERGE_FIELDS)[number];

export interface MergeInput {
  primary_id: number;
  ids: number[];
  fields?: Record<string, number>;
  dry_run?: boolean;
}

/** What a merge did, kept in lead_merges.record so that it can be undone. */
interface MergeRecord {
  /** The primary's values of the fields the merge changed, before it. */
  before: Partial<Record<MergeField, unknown>>;
  moved: Record<MovedTable, Array<{ id: number; from: number }>>;
  tags: string[];
  contacts: number[];
  teams: number[];
  users: Array<{ id: number; from: number }>;
  points: Array<{ id: number; from: number; is_primary: number; position: number }>;
  refs: Array<{ id: number; from: number }>;
  /** The versions right after the merge: the undo needs them unchanged. */
  versions: Record<string, number>;
  /** Rows per table on the primary right after the merge: the undo needs them unchanged too. */
  counts: Record<string, number>;
}

export interface MergeServiceDeps {
  db: Kysely<Database>;
  repo: MergeRepository;
  leads: {
    get(auth: AuthContext, id: number, opts?: TxOptions): Promise<LeadDto>;
    update(
      auth: AuthContext,
      id: number,
      input: LeadPatchInput,
      ifMatch?: string,
      opts?: TxOptions,
    ): Promise<LeadDto>;
    assertLeadAccess(auth: AuthContext, id: number, mode: 'read' | 'write', opts?: TxOptions): Promise<void>;
  };
  /** Re-files leads under their duplicate keys (src/duplicates/duplicates.service.ts). */
  refresh(trx: Kysely<Database>, orgId: number, rows: LeadRow[]): Promise<void>;
  rows(trx: Kysely<Database>, orgId: number, ids: number[]): Promise<LeadRow[]>;
}

class DryRun extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}

const empty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '' ||
  (typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.values(v as object).every((x) => x === null || x === ''));

/**
 * Merge and unmerge (issue 23): any number of leads into a primary one, in one transaction; the merged leads are
 * kept, marked `merged_into_id`, hidden from lists; an undo while nothing has changed since.
 */
export function createMergeService({ db, repo, leads, refresh, rows }: MergeServiceDeps) {
  const COUNTED = [
    ...MOVED_TABLES,
    'lead_tags',
    'lead_contacts',
    'lead_teams',
    'lead_users',
    'lead_contact_points',
  ] as const;

  async function countsOf(trx: Kysely<Database>, orgId: number, leadId: number) {
    const out: Record<string, number> = {};
    for (const t of COUNTED) out[t] = await repo.countFor(trx, t, orgId, leadId);
    return out;
  }

  /** Every refusal, before anything is written: 404 for a lead the caller cannot see, 409 for a merged one. */
  async function check(trx: Kysely<Database>, auth: AuthContext, input: MergeInput) {
    const seen = new Map<number, number>();
    input.ids.forEach((id, k) => {
      if (id === input.primary_id)
        throw fieldError(`ids[${k}]`, 'is the primary lead; name it only in primary_id');
      if (seen.has(id))
        throw fieldError(`ids[${k}]`, `names lead ${id} a second time (ids[${seen.get(id)}])`);
      seen.set(id, k);
    });
    const all = [input.primary_id, ...input.ids];
    for (const [field, source] of Object.entries(input.fields ?? {})) {
      if (!(MERGE_FIELDS as readonly string[]).includes(field))
        throw fieldError(
          `fields.${field}`,
          `is not a field a merge can choose (one of ${MERGE_FIELDS.join(', ')})`,
        );
      if (!all.includes(source))
        throw fieldError(`fields.${field}`, `names lead ${source}, which is not merged here`);
    }
    for (const id of all) await leads.assertLeadAccess(auth, id, 'write', { tx: trx });
    const found = await rows(trx, auth.orgId, all);
    for (const id of all) {
      const r = found.find((x) => x.id === id);
      if (!r) throw notFound('Lead', id);
      if (r.merged_into_id)
        throw new AppError('conflict', `Lead ${id} was already merged into lead ${r.merged_into_id}.`, [
          {
            field: id === input.primary_id ? 'primary_id' : `ids[${seen.get(id)}]`,
            message: 'is a merged lead',
          },
        ]);
    }
  }

  async function doMerge(trx: Kysely<Database>, auth: AuthContext, input: MergeInput) {
    await check(trx, auth, input);
    const { orgId } = auth;
    const primaryId = input.primary_id;
    const now = nowIso();
    const dtos = new Map<number, LeadDto>();
    for (const id of [primaryId, ...input.ids]) dtos.set(id, await leads.get(auth, id, { tx: trx }));
    const primary = dtos.get(primaryId)! as unknown as Record<string, unknown>;

    // Fields: the one chosen, else the primary's, else the first merged lead's that has one.
    const patch: Record<string, unknown> = {};
    const before: MergeRecord['before'] = {};
    for (const field of MERGE_FIELDS) {
      const chosen = input.fields?.[field];
      let value: unknown;
      if (chosen !== undefined) value = (dtos.get(chosen) as unknown as Record<string, unknown>)[field];
      else if (!empty(primary[field])) continue;
      else
        value = input.ids
          .map((id) => (dtos.get(id) as unknown as Record<string, unknown>)[field])
          .find((v) => !empty(v));
      if (value === undefined || JSON.stringify(value) === JSON.stringify(primary[field])) continue;
      patch[field] = value;
      before[field] = primary[field];
    }

    // External ids and contact points that move must leave the merged leads first (they are unique per lead).
    const record: MergeRecord = {
      before,
      moved: Object.fromEntries(MOVED_TABLES.map((t) => [t, []])) as unknown as MergeRecord['moved'],
      tags: [],
      contacts: [],
      teams: [],
      users: [],
      points: [],
      refs: [],
      versions: {},
      counts: {},
    };
    for (const t of MOVED_TABLES) {
      const found = await repo.rowIds(trx, t, orgId, input.ids);
      record.moved[t] = found.map((r) => ({ id: r.id, from: r.lead_id! }));
      await repo.moveRows(
        trx,
        t,
        orgId,
        found.map((r) => r.id),
        primaryId,
      );
    }
    const tags = await repo.tags(trx, orgId, [primaryId, ...input.ids]);
    const have = new Set(tags.filter((t) => t.lead_id === primaryId).map((t) => t.tag.toLowerCase()));
    for (const t of tags)
      if (t.lead_id !== primaryId && !have.has(t.tag.toLowerCase())) {
        have.add(t.tag.toLowerCase());
        record.tags.push(t.tag);
      }
    await repo.addTags(trx, orgId, primaryId, record.tags);
    const contacts = await repo.contacts(trx, orgId, [primaryId, ...input.ids]);
    const linked = new Set(contacts.filter((c) => c.lead_id === primaryId).map((c) => c.contact_id));
    for (const c of contacts)
      if (!linked.has(c.contact_id)) {
        linked.add(c.contact_id);
        record.contacts.push(c.contact_id);
      }
    await repo.addContacts(trx, orgId, primaryId, record.contacts, now);
    const teams = await repo.teams(trx, orgId, [primaryId, ...input.ids]);
    const held = new Set(teams.filter((t) => t.lead_id === primaryId).map((t) => t.team_id));
    let position = Math.max(-1, ...teams.filter((t) => t.lead_id === primaryId).map((t) => t.position));
    const addTeams: Array<{ team_id: number; position: number }> = [];
    for (const t of teams)
      if (!held.has(t.team_id)) {
        held.add(t.team_id);
        addTeams.push({ team_id: t.team_id, position: ++position });
        record.teams.push(t.team_id);
      }
    await repo.addTeams(trx, orgId, primaryId, addTeams);
    const users = await repo.users(trx, orgId, [primaryId, ...input.ids]);
    const roles = new Set(users.filter((u) => u.lead_id === primaryId).map((u) => `${u.role}:${u.user_id}`));
    for (const u of users)
      if (u.lead_id !== primaryId && !roles.has(`${u.role}:${u.user_id}`)) {
        roles.add(`${u.role}:${u.user_id}`);
        record.users.push({ id: u.id, from: u.lead_id });
      }
    await repo.moveUsers(
      trx,
      orgId,
      record.users.map((u) => u.id),
      primaryId,
    );
    const refs = await repo.leadRefs(trx, orgId, [primaryId, ...input.ids]);
    const named = new Set(refs.filter((r) => r.entity_id === primaryId).map((r) => `${r.surface}:${r.name}`));
    for (const r of refs)
      if (r.entity_id !== primaryId && !named.has(`${r.surface}:${r.name}`)) {
        named.add(`${r.surface}:${r.name}`);
        record.refs.push({ id: r.id, from: r.entity_id });
      }
    await repo.moveRefs(
      trx,
      orgId,
      record.refs.map((r) => r.id),
      primaryId,
    );

    // The chosen fields through the lead service (its rules, history, contact points mirror, search, keys).
    if (Object.keys(patch).length)
      await leads.update(auth, primaryId, patch as LeadPatchInput, undefined, { tx: trx });

    // The other emails and phones join the primary's, once each, never as its primary one.
    const points = await repo.points(trx, orgId, [primaryId, ...input.ids]);
    const norm = (p: { kind: string; value: string; digits: string | null }) =>
      `${p.kind}:${p.kind === 'email' ? p.value.toLowerCase() : (p.digits ?? p.value)}`;
    const kept = new Set(points.filter((p) => p.lead_id === primaryId).map(norm));
    let pos = Math.max(-1, ...points.filter((p) => p.lead_id === primaryId).map((p) => p.position));
    for (const p of points)
      if (p.lead_id !== primaryId && !kept.has(norm(p))) {
        kept.add(norm(p));
        record.points.push({ id: p.id, from: p.lead_id, is_primary: p.is_primary, position: p.position });
        await repo.movePoint(trx, orgId, p.id, { lead_id: primaryId, is_primary: 0, position: ++pos });
      }

    await repo.setMergedInto(trx, orgId, input.ids, primaryId, auth.userId, now);
    await repo.syncFollowUpColumns(trx, orgId, [primaryId, ...input.ids], auth.userId, now);
    await repo.fieldChanges(trx, [
      {
        org_id: orgId,
        lead_id: primaryId,
        field: 'merged',
        old_value: null,
        new_value: JSON.stringify(input.ids),
        changed_by: auth.userId,
        changed_at: now,
      },
      ...input.ids.map((id) => ({
        org_id: orgId,
        lead_id: id,
        field: 'merged_into_id',
        old_value: null,
        new_value: JSON.stringify(primaryId),
        changed_by: auth.userId,
        changed_at: now,
      })),
    ]);
    await refresh(trx, orgId, await rows(trx, orgId, [primaryId, ...input.ids]));
    const versions = await repo.versions(trx, orgId, [primaryId, ...input.ids]);
    for (const [id, v] of versions) record.versions[id] = v.version;
    record.counts = await countsOf(trx, orgId, primaryId);
    const mergeId = await repo.insertMerge(trx, {
      org_id: orgId,
      primary_id: primaryId,
      merged_ids: JSON.stringify(input.ids),
      record: JSON.stringify(record),
      created_by: auth.userId,
      created_at: now,
    });
    // Webhook receivers hear of the merge in its own transaction (outbox; nothing is sent for a dry run).
    const [primaryRow] = await rows(trx, orgId, [primaryId]);
    if (primaryRow) await emitLeadMerged(trx, orgId, primaryRow, input.ids);
    return {
      merge_id: mergeId,
      lead: await leads.get(auth, primaryId, { tx: trx }),
      merged_ids: input.ids,
      fields: Object.keys(patch),
      moved: {
        ...Object.fromEntries(MOVED_TABLES.map((t) => [t, record.moved[t].length])),
        tags: record.tags.length,
        contacts: record.contacts.length,
        teams: record.teams.length,
        lead_users: record.users.length,
        contact_points: record.points.length,
        external_refs: record.refs.length,
      } as Record<string, number>,
    };
  }

  return {
    /** Merges `ids` into `primary_id` in one transaction; `dry_run` does it all and rolls it back. */
    async merge(auth: AuthContext, input: MergeInput, opts: TxOptions = {}) {
      assertCan(auth, 'leads:write');
      if (!input.dry_run) {
        const r = await inTransaction(db, opts, (trx) => doMerge(trx, auth, input));
        return { dry_run: false, ...r };
      }
      try {
        await inTransaction(db, opts.tx ? {} : opts, async (trx) => {
          throw new DryRun(await doMerge(trx, auth, input));
        });
      } catch (e) {
        if (e instanceof DryRun)
          return { dry_run: true, ...(e.result as Awaited<ReturnType<typeof doMerge>>), merge_id: null };
        throw e;
      }
      throw new Error('unreachable');
    },

    /** Undoes the last merge of this lead (the primary or one merged lead) while nothing has changed since. */
    async unmerge(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'leads:write');
      return inTransaction(db, opts, async (trx) => {
        await leads.assertLeadAccess(auth, id, 'write', { tx: trx });
        const { orgId } = auth;
        const merge = await repo.lastMergeOf(trx, orgId, id);
        if (!merge) throw new AppError('conflict', `Lead ${id} has no merge to undo.`);
        const primaryId = merge.primary_id;
        const mergedIds = JSON.parse(merge.merged_ids) as number[];
        const record = JSON.parse(merge.record) as MergeRecord;
        if ((await repo.laterMerges(trx, orgId, primaryId, merge.id)).length)
          throw new AppError(
            'conflict',
            `Lead ${primaryId} was merged with other leads since; undo that merge first.`,
          );
        for (const lid of [primaryId, ...mergedIds])
          await leads.assertLeadAccess(auth, lid, 'read', { tx: trx });
        const versions = await repo.versions(trx, orgId, [primaryId, ...mergedIds]);
        for (const lid of [primaryId, ...mergedIds]) {
          const v = versions.get(lid);
          if (!v || v.deleted_at) throw new AppError('conflict', `Lead ${lid} was deleted since the merge.`);
          if (v.version !== record.versions[lid])
            throw new AppError(
              'conflict',
              `Lead ${lid} changed since the merge (version ${v.version}, ${record.versions[lid]} right after it).`,
            );
        }
        const counts = await countsOf(trx, orgId, primaryId);
        for (const [t, n] of Object.entries(record.counts))
          if (counts[t] !== n)
            throw new AppError(
              'conflict',
              `Lead ${primaryId} changed since the merge: its ${t.replace(/_/g, ' ')} went from ${n} to ${counts[t]}.`,
            );
        const now = nowIso();
        for (const t of MOVED_TABLES)
          for (const from of new Set(record.moved[t].map((m) => m.from)))
            await repo.moveRows(
              trx,
              t,
              orgId,
              record.moved[t].filter((m) => m.from === from).map((m) => m.id),
              from,
            );
        await repo.removeTags(trx, orgId, primaryId, record.tags);
        await repo.removeContacts(trx, orgId, primaryId, record.contacts);
        await repo.removeTeams(trx, orgId, primaryId, record.teams);
        for (const from of new Set(record.users.map((u) => u.from)))
          await repo.moveUsers(
            trx,
            orgId,
            record.users.filter((u) => u.from === from).map((u) => u.id),
            from,
          );
        for (const from of new Set(record.refs.map((u) => u.from)))
          await repo.moveRefs(
            trx,
            orgId,
            record.refs.filter((u) => u.from === from).map((u) => u.id),
            from,
          );
        for (const p of record.points)
          await repo.movePoint(trx, orgId, p.id, {
            lead_id: p.from,
            is_primary: p.is_primary,
            position: p.position,
          });
        await repo.setMergedInto(trx, orgId, mergedIds, null, auth.userId, now);
        await repo.syncFollowUpColumns(trx, orgId, [primaryId, ...mergedIds], auth.userId, now);
        if (Object.keys(record.before).length)
          await leads.update(auth, primaryId, record.before as LeadPatchInput, undefined, { tx: trx });
        await repo.fieldChanges(trx, [
          {
            org_id: orgId,
            lead_id: primaryId,
            field: 'unmerged',
            old_value: null,
            new_value: JSON.stringify(mergedIds),
            changed_by: auth.userId,
            changed_at: now,
          },
          ...mergedIds.map((mid) => ({
            org_id: orgId,
            lead_id: mid,
            field: 'merged_into_id',
            old_value: JSON.stringify(primaryId),
            new_value: null,
            changed_by: auth.userId,
            changed_at: now,
          })),
        ]);
        await refresh(trx, orgId, await rows(trx, orgId, [primaryId, ...mergedIds]));
        await repo.markUndone(trx, orgId, merge.id, auth.userId, now);
        return {
          merge_id: merge.id,
          lead: await leads.get(auth, primaryId, { tx: trx }),
          unmerged_ids: mergedIds,
        };
      });
    },
  };
}
export type MergeService = ReturnType<typeof createMergeService>;
