import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import type { JobContext } from '../jobs/job.worker.js';
import type { ImportRepository } from './import.repository.js';
import type { UpdatedSnapshot } from './import.update.js';
import { inTransaction } from '../db/unit-of-work.js';

export const REVERT_JOB = 'import.revert';

/**
 * Undoes an import batch by batch, newest first: created leads go to the trash (restorable, like a delete
 * in the app), updated leads get their previous values back unless someone changed them since.
 * Each batch is undone and forgotten in one transaction, so an interrupted revert resumes where it stopped.
 */
export function createRevertRunner({ db, imports }: { db: Kysely<Database>; imports: ImportRepository }) {
  return async function revertImport({ job, signal }: JobContext): Promise<void> {
    const { import_id: importId } = JSON.parse(job.payload) as { import_id: number };
    const orgId = job.org_id;
    const found = await imports.find(orgId, importId);
    if (!found || found.status !== 'reverting') return;
    const imp = found;
    const summary = imp.revert_summary
      ? (JSON.parse(imp.revert_summary) as Record<string, number>)
      : { deleted: 0, restored: 0, kept_changed: 0 };
    try {
      await revertBatches();
    } catch (err) {
      if (signal.aborted) return;
      // Back to completed, so the user sees why and can try again (what was undone stays undone).
      await imports.update(db, orgId, importId, {
        status: 'completed',
        error: `Revert failed: ${(err as Error).message}`,
        updated_at: nowIso(),
      });
      throw err;
    }
    if (signal.aborted) return;
    const now = nowIso();
    await imports.update(db, orgId, importId, {
      status: 'reverted',
      reverted_at: now,
      revert_summary: JSON.stringify(summary),
      updated_at: now,
    });

    async function revertBatches() {
      for (;;) {
        if (signal.aborted) return;
        const done = await inTransaction(db, {}, async (trx) => {
          const [batch] = await imports.batchesPage(trx, orgId, importId, 2147483647, 1);
          if (!batch) return true;
          const now = nowIso();
          summary.deleted += await imports.softDelete(
            trx,
            orgId,
            JSON.parse(batch.created_ids) as number[],
            imp.created_by,
            now,
          );
          const snaps = JSON.parse(batch.updated) as UpdatedSnapshot[];
          const current = new Map(
            (
              await imports.leadsByIds(
                trx,
                orgId,
                snaps.map((s) => s.id),
              )
            ).map((l) => [l.id, l]),
          );
          for (const s of snaps.reverse()) {
            const lead = current.get(s.id);
            if (!lead || lead.version !== s.version) {
              summary.kept_changed++;
              continue;
            }
            await imports.updateLead(trx, orgId, s.id, s.version, {
              ...s.before,
              updated_at: now,
              updated_by: imp.created_by,
            });
            if (s.tags_before) await imports.replaceTags(trx, orgId, s.id, s.tags_before);
            await imports.insertFieldChanges(
              trx,
              Object.entries(s.before)
                .filter(([k]) => k !== 'status_changed_at')
                .map(([k, v]) => ({
                  org_id: orgId,
                  lead_id: s.id,
                  field: k,
                  old_value: JSON.stringify((lead as Record<string, unknown>)[k] ?? null),
                  new_value: JSON.stringify(v ?? null),
                  changed_by: imp.created_by,
                  changed_at: now,
                })),
            );
            if (s.before.status_id !== undefined)
              await imports.insertStatusHistory(
                trx,
                orgId,
                [s.id],
                [s.before.status_id as number],
                imp.created_by,
                now,
              );
            summary.restored++;
          }
          await imports.deleteBatch(trx, orgId, batch.id);
          await imports.update(trx, orgId, importId, {
            revert_summary: JSON.stringify(summary),
            updated_at: now,
          });
          return false;
        });
        if (done) break;
      }
    }
  };
}
