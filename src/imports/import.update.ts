import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { normalizeTags } from '../leads/lead.service.js';
import type { LeadRow } from '../leads/lead.repository.js';
import { IMPORT_LEAD_COLUMNS, type ImportRepository } from './import.repository.js';
import type { MappedRow } from './row-mapper.js';
import { expandFieldChanges } from '../pipeline/custom-field.service.js';

/** What revert needs to put an updated lead back. */
export interface UpdatedSnapshot {
  id: number;
  version: number;
  before: Record<string, unknown>;
  tags_before?: string[];
}

const UPDATABLE = IMPORT_LEAD_COLUMNS.map(([c]) => c).filter(
  (c) =>
    ![
      'org_id',
      'custom_fields',
      'status_changed_at',
      'created_at',
      'updated_at',
      'created_by',
      'updated_by',
      'version',
      'status_id',
    ].includes(c),
);

/** Dedupe policy "update": writes a row's non-empty values over an existing lead, logged like an API update. */
export function createLeadUpdater(imports: ImportRepository, userId: number | null) {
  /** Applies a row to an existing lead; returns what revert needs, or null if nothing changed. */
  return async function applyUpdate(
    trx: Kysely<Database>,
    lead: LeadRow,
    m: MappedRow,
    now: string,
  ): Promise<UpdatedSnapshot | null> {
    const set: Record<string, unknown> = {};
    for (const col of UPDATABLE) {
      const v = m.values[col];
      if (v != null && v !== (lead as Record<string, unknown>)[col]) set[col] = v;
    }
    if (m.statusId !== null && m.statusId !== lead.status_id) {
      set.status_id = m.statusId;
      set.status_changed_at = now;
    }
    const oldCustom = JSON.parse(lead.custom_fields || '{}') as Record<string, unknown>;
    const newCustom = { ...oldCustom, ...m.custom };
    if (JSON.stringify(newCustom) !== lead.custom_fields) set.custom_fields = JSON.stringify(newCustom);
    const oldTags = (await imports.tagsOf(trx, lead.org_id, [lead.id])).map((t) => t.tag).sort();
    const newTags = normalizeTags([...oldTags, ...m.tags]);
    const tagsChanged = newTags.join('\u0000') !== oldTags.join('\u0000');
    if (Object.keys(set).length === 0 && !tagsChanged) return null;
    const ok = await imports.updateLead(trx, lead.org_id, lead.id, lead.version, {
      ...set,
      updated_at: now,
      updated_by: userId,
    });
    if (!ok) return null;
    if (tagsChanged) await imports.replaceTags(trx, lead.org_id, lead.id, newTags);
    const before: Record<string, unknown> = {};
    for (const k of Object.keys(set)) before[k] = (lead as Record<string, unknown>)[k];
    await imports.insertFieldChanges(trx, [
      // Logged like a PATCH of the lead service: custom fields one key at a time.
      ...expandFieldChanges(
        Object.entries(set).filter(([k]) => k !== 'status_changed_at'),
        lead as Record<string, unknown>,
      ).map(([k, v, old]) => ({
        org_id: lead.org_id,
        lead_id: lead.id,
        field: k,
        old_value: JSON.stringify(old ?? null),
        new_value: JSON.stringify(v ?? null),
        changed_by: userId,
        changed_at: now,
      })),
      ...(tagsChanged
        ? [
            {
              org_id: lead.org_id,
              lead_id: lead.id,
              field: 'tags',
              old_value: JSON.stringify(oldTags),
              new_value: JSON.stringify(newTags),
              changed_by: userId,
              changed_at: now,
            },
          ]
        : []),
    ]);
    if (set.status_id !== undefined)
      await imports.insertStatusHistory(trx, lead.org_id, [lead.id], [set.status_id as number], userId, now);
    return {
      id: lead.id,
      version: lead.version + 1,
      before,
      ...(tagsChanged ? { tags_before: oldTags } : {}),
    };
  };
}
