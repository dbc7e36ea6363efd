import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isPostgres, nowIso } from '../db/dialect.js';
import { normalizeTags } from '../leads/lead.service.js';
import type { LeadRow } from '../leads/lead.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { JobContext } from '../jobs/job.worker.js';
import { openRows, withHeader, type FileRow } from './readers.js';
import { createRowMapper, type CustomFieldDef, type MappedRow } from './row-mapper.js';
import type { Sniffed } from './sniff.js';
import {
  IMPORT_LEAD_COLUMNS,
  type DedupeKey,
  type ImportRepository,
  type ImportRow,
  type LeadInsertRow,
} from './import.repository.js';
import type { RunOptions } from './import.schema.js';
import { createLeadUpdater, type UpdatedSnapshot } from './import.update.js';
import { inTransaction } from '../db/unit-of-work.js';
import type { LeadService } from '../leads/lead.service.js';
import type { AuthContext } from '../access/roles.js';

export const IMPORT_JOB = 'import.run';

interface Pending {
  row: number;
  m: MappedRow;
  insert: LeadInsertRow;
}

export interface ImportRunnerDeps {
  db: Kysely<Database>;
  imports: ImportRepository;
  statuses: StatusRepository;
  /** The organization's custom field definitions, when the pipeline feature provides them. */
  customFields?: { listFields(orgId: number): Promise<CustomFieldDef[]> };
  /** The core's lead rules for many new leads (src/leads/lead.service.ts): every lead an import creates. */
  leadWriter: Pick<LeadService, 'createMany' | 'afterUpdated'>;
  batchSize?: number;
  /** In the transaction that marks the import completed or failed (src/email tells whoever started it). */
  onFinished?: (trx: Kysely<Database>, orgId: number, importId: number) => Promise<void>;
}

export function sniffedOf(imp: ImportRow): Sniffed {
  const d = JSON.parse(imp.detected) as { bom_length?: number };
  return {
    format: imp.format as Sniffed['format'],
    encoding: imp.encoding as Sniffed['encoding'],
    delimiter: imp.delimiter,
    bomLength: d.bom_length ?? 0,
  };
}

/**
 * SQLite's page cache while imports run, in KB. The connection keeps up to 64 MB of pages (src/db/database.ts); an
 * import writes into every index of a table that grows with the file, so that cache filled to its cap and stayed
 * full, a fifth of the server's peak. Pages beyond the cap are read again from the operating system's file cache
 * (a copy, not a disk read): 100,000 rows ran no slower with 16 MB (docs/performance.md, "Import memory").
 */
export const IMPORT_SQLITE_CACHE_KB = 16 * 1024;

/**
 * SQLite's WAL size, in pages, at which a commit checkpoints while imports run (SQLite's default is 1,000 pages,
 * 4 MB). An import's batches rewrite the same index pages again and again; checkpointing every 40 MB instead of
 * every 4 MB copies each of them back to the database file less often. Insert micro bench at 60,000 rows: 8,751
 * and 8,768 rows/s against 7,156 and 6,697 with the default, in one process (docs/decisions.md, "Import speed,
 * third pass"). The WAL file grows to about 40 MB during an import (it is reused, not shrunk, afterwards).
 */
export const IMPORT_SQLITE_WAL_AUTOCHECKPOINT = 10_000;

/** The connection settings an import changes on SQLite, with their values while imports run. */
const IMPORT_SQLITE_PRAGMAS = {
  cache_size: -IMPORT_SQLITE_CACHE_KB,
  wal_autocheckpoint: IMPORT_SQLITE_WAL_AUTOCHECKPOINT,
};
type ImportPragma = keyof typeof IMPORT_SQLITE_PRAGMAS;
const IMPORT_PRAGMA_NAMES = Object.keys(IMPORT_SQLITE_PRAGMAS) as ImportPragma[];

const cacheCaps = new WeakMap<object, { runs: number; configured: Promise<Record<ImportPragma, number>> }>();

async function setPragmas(db: Kysely<Database>, values: Record<ImportPragma, number>) {
  for (const name of IMPORT_PRAGMA_NAMES) await sql.raw(`PRAGMA ${name} = ${values[name]}`).execute(db);
}

/**
 * Caps the SQLite connection's page cache and checkpoints its WAL less often while at least one import of this
 * process runs; the returned function puts the configured values back when the last one ends. Nothing on
 * PostgreSQL (its cache is the server's).
 */
async function capSqliteCache(db: Kysely<Database>): Promise<() => Promise<void>> {
  if (isPostgres(db)) return async () => undefined;
  let cap = cacheCaps.get(db);
  if (!cap) {
    const read = async () => {
      const values = {} as Record<ImportPragma, number>;
      for (const name of IMPORT_PRAGMA_NAMES)
        values[name] = Number(
          (await sql.raw<Record<string, number>>(`PRAGMA ${name}`).execute(db)).rows[0][name],
        );
      return values;
    };
    cap = { runs: 0, configured: read() };
    cacheCaps.set(db, cap);
  }
  const state = cap;
  await state.configured;
  if (state.runs++ === 0) await setPragmas(db, IMPORT_SQLITE_PRAGMAS);
  return async () => {
    if (--state.runs === 0) await setPragmas(db, await state.configured);
  };
}

/** The tables an import grows, whose planner statistics it refreshes (see refreshStats). */
const IMPORT_TABLES = ['leads', 'status_history', 'lead_dup_keys', 'duplicate_pairs', 'lead_contact_points'];

/**
 * Refreshes the query planner's statistics of the tables an import grows. SQLite has none until someone runs
 * ANALYZE, and nothing did: without them it guesses that `org_id = ?` picks ~10 rows, so `WHERE org_id = ? AND
 * id IN (...)` (the duplicate refresh's read of its candidates, every lead page's read by ids) walked every lead
 * of the organization through an org-first index instead of looking the ids up: 17% of an import's CPU at
 * 100,000 rows, and growing with the organization (docs/decisions.md, "Import speed, second pass"). With
 * `analysis_limit` SQLite samples about 1,000 entries per index (milliseconds at 1M leads). PostgreSQL's
 * autovacuum analyzes on its own, but late for a table that grows by a million rows in a minute (the earlier 5-20 s
 * searches after a 100,000-row import); its ANALYZE samples 30,000 rows a table (about a second at 1M leads).
 */
export async function refreshStats(db: Kysely<Database>): Promise<void> {
  if (isPostgres(db)) {
    // The duplicate refresh reads lead_dup_keys by index only (each new key's stop-limit count, the candidates'
    // keys), which skips the table's rows only on pages the visibility map marks all-visible; only VACUUM sets
    // it, and autovacuum may be off or late. An import only appends keys, so each VACUUM reads the pages added
    // since the last one: 0.7 s for the whole table at 300,000 leads, against 8x the buffer reads for a batch's
    // key counts without it (docs/decisions.md, "Import speed, PostgreSQL, session 10"). Outside a transaction.
    // Best effort: a first VACUUM of a large table never vacuumed may outlast the statement timeout, and the
    // import does not depend on it (the ANALYZE below still runs).
    await sql
      .raw('VACUUM (ANALYZE) lead_dup_keys')
      .execute(db)
      .catch(() => sql.raw('ANALYZE lead_dup_keys').execute(db));
    await sql.raw(`ANALYZE ${IMPORT_TABLES.filter((t) => t !== 'lead_dup_keys').join(', ')}`).execute(db);
    return;
  }
  const prev = Number(
    (await sql<{ analysis_limit: number }>`PRAGMA analysis_limit`.execute(db)).rows[0].analysis_limit,
  );
  await sql.raw('PRAGMA analysis_limit = 1000').execute(db);
  try {
    for (const t of IMPORT_TABLES) await sql.raw(`ANALYZE ${t}`).execute(db);
  } finally {
    await sql.raw(`PRAGMA analysis_limit = ${prev}`).execute(db);
  }
}

/**
 * Runs (or resumes) one import: reads the file in batches, each committed in one transaction with its progress.
 *
 * On PostgreSQL a batch's commit does not wait for its WAL to reach the disk (`SET LOCAL synchronous_commit = off`,
 * this transaction only): 4-17% more rows a second at 100,000 rows (docs/decisions.md, "Import speed, third pass").
 * What a crash of the database server can cost is the last batches committed in the ~0.6 s before it (three
 * `wal_writer_delay`s), each lost whole, never in part: a batch's leads, its revert record (`import_batches`), its
 * errors and the import's progress (`next_row`, the counts) are one transaction, and a run reads its starting
 * point from the database: the run that resumes the import (a job whose heartbeat went stale is taken over,
 * test/jobs.test.ts) starts after the `next_row` the database kept, so a lost batch is read and written again,
 * neither skipped nor doubled. A crash of this process alone loses nothing (the server flushes the WAL itself).
 * The final "completed" update commits normally, which flushes every batch before it: an import reported complete
 * is durable.
 */
export function createImportRunner({
  db,
  imports,
  statuses,
  customFields,
  leadWriter,
  batchSize = 500,
  onFinished,
}: ImportRunnerDeps) {
  return async function runImport({ job, signal }: JobContext): Promise<void> {
    const { import_id: importId } = JSON.parse(job.payload) as { import_id: number };
    const orgId = job.org_id;
    let imp = await imports.find(orgId, importId);
    if (!imp || !['queued', 'running'].includes(imp.status)) return;
    const segmentStart = Date.now();
    await imports.update(db, orgId, importId, {
      status: 'running',
      started_at: imp.started_at ?? nowIso(),
      updated_at: nowIso(),
    });
    imp = (await imports.find(orgId, importId))!;
    const opts = JSON.parse(imp.options!) as RunOptions;
    const header = JSON.parse(imp.header) as string[];
    const defs = customFields ? await customFields.listFields(orgId) : [];
    const { mapRow, defaultStatusId } = createRowMapper(
      header,
      opts,
      await statuses.listByOrg(orgId),
      await imports.listMembers(orgId),
      defs,
    );
    const userId = imp.created_by;
    // The import acts as the user who started it (the audit log and the lead hooks name them).
    const actor: AuthContext = { kind: 'user', orgId, userId, role: 'agent' };
    const applyUpdate = createLeadUpdater(imports, userId);
    const dedupe =
      opts.dedupe && opts.dedupe.policy !== 'create' && opts.dedupe.on.length > 0 ? opts.dedupe : null;
    const resumeAfter = imp.next_row;
    const counts = { read: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
    let src: ReturnType<typeof openRows> | null = null;
    let batch: FileRow[] = [];
    // Unmatched vocabulary values, column -> value -> count, carried over a resume; at most 500 values a column.
    const warnings = (imp.warnings ? JSON.parse(imp.warnings) : {}) as Record<string, Record<string, number>>;
    const addWarnings = (m: MappedRow) => {
      for (const w of m.warnings) {
        const col = (warnings[w.column] ??= {});
        const k = w.value in col || Object.keys(col).length < 500 ? w.value : '(other values)';
        col[k] = (col[k] ?? 0) + 1;
      }
    };

    async function commit(rows: FileRow[]) {
      const now = nowIso();
      const errors: Array<{
        org_id: number;
        import_id: number;
        row_number: number;
        column_name: string | null;
        value: string | null;
        message: string;
      }> = [];
      const toCreate: Pending[] = [];
      const toUpdate: Array<{ row: number; m: MappedRow; lead: LeadRow }> = [];
      const c = { read: rows.length, created: 0, updated: 0, skipped: 0, failed: 0 };
      for (const r of rows) {
        const m = mapRow(r.cells);
        if (m.warnings.length) addWarnings(m);
        if (m.errors.length) {
          c.failed++;
          for (const e of m.errors)
            errors.push({
              org_id: orgId,
              import_id: importId,
              row_number: r.row,
              column_name: e.column,
              value: e.value,
              message: e.message,
            });
          continue;
        }
        const insert = {} as LeadInsertRow;
        for (const [col] of IMPORT_LEAD_COLUMNS)
          insert[col] = (m.values[col] as string | number | null | undefined) ?? null;
        Object.assign(insert, {
          org_id: orgId,
          status_id: m.statusId ?? defaultStatusId,
          custom_fields: JSON.stringify(m.custom),
          status_changed_at: m.statusAt ?? now,
          created_at: (m.values.created_at as string | undefined) ?? now,
          updated_at: now,
          created_by: userId,
          updated_by: userId,
          version: 1,
        });
        toCreate.push({ row: r.row, m, insert });
      }
      const updatedSnapshots: UpdatedSnapshot[] = [];
      const createdIds: number[] = [];
      const mapped = { ...c };
      await inTransaction(db, {}, async (trx) => {
        // inTransaction tries the batch again after a deadlock or serialization failure: each attempt starts
        // from what the mapping gave, so a retried batch is counted and recorded once.
        Object.assign(c, mapped);
        toUpdate.length = 0;
        updatedSnapshots.length = 0;
        createdIds.length = 0;
        if (isPostgres(trx)) await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        let creates = toCreate;
        if (dedupe) {
          // Existing leads matching any dedupe key, then rows of this batch matching an earlier row of it.
          const existing = new Map<string, LeadRow>();
          for (const key of dedupe.on) {
            const vals = [
              ...new Set(
                creates.map((p) => p.insert[key] as string | null).filter((v): v is string => v !== null),
              ),
            ];
            for (let i = 0; i < vals.length; i += 500) {
              for (const lead of await imports.findByKey(trx, orgId, key, vals.slice(i, i + 500))) {
                const k = `${key}\u0000${lead[key]}`;
                if (!existing.has(k)) existing.set(k, lead);
              }
            }
          }
          const seen = new Map<string, Pending>();
          const kept: Pending[] = [];
          for (const p of creates) {
            const keys = dedupe.on
              .map((k: DedupeKey) => (p.insert[k] !== null ? `${k}\u0000${p.insert[k]}` : null))
              .filter((k): k is string => k !== null);
            const lead = keys.map((k) => existing.get(k)).find(Boolean);
            const earlier = keys.map((k) => seen.get(k)).find(Boolean);
            if (lead) {
              if (dedupe.policy !== 'update') c.skipped++;
              else {
                const prev = toUpdate.find((u) => u.lead.id === lead.id);
                if (!prev) toUpdate.push({ row: p.row, m: p.m, lead });
                else {
                  // Two rows of one batch for the same lead: one update, the later row's values on top.
                  for (const [k, v] of Object.entries(p.m.values)) if (v != null) prev.m.values[k] = v;
                  Object.assign(prev.m.custom, p.m.custom);
                  prev.m.tags = normalizeTags([...prev.m.tags, ...p.m.tags]);
                  if (p.m.statusId !== null) prev.m.statusId = p.m.statusId;
                  c.updated++;
                }
              }
            } else if (earlier) {
              if (dedupe.policy === 'update') {
                // A later row of the same lead fills in or overrides what the earlier row had.
                for (const [col] of IMPORT_LEAD_COLUMNS)
                  if (p.m.values[col] != null && col !== 'created_at') earlier.insert[col] = p.insert[col];
                earlier.insert.custom_fields = JSON.stringify({
                  ...JSON.parse(earlier.insert.custom_fields as string),
                  ...p.m.custom,
                });
                earlier.m.tags = normalizeTags([...earlier.m.tags, ...p.m.tags]);
                if (p.m.statusId !== null) earlier.insert.status_id = p.m.statusId;
                c.updated++;
              } else c.skipped++;
            } else {
              kept.push(p);
              for (const k of keys) seen.set(k, p);
            }
          }
          creates = kept;
        }
        if (opts.dry_run) {
          c.created += creates.length;
          c.updated += toUpdate.length;
        } else {
          // Through the core's lead rules, one batch at a time in this transaction (issue 11).
          const ids = await leadWriter.createMany(
            actor,
            creates.map((p) => ({ row: p.insert, tags: p.m.tags, statusAt: p.m.statusAt })),
            {
              tx: trx,
              audit: {
                action: 'leads.imported',
                targetType: 'import',
                targetId: importId,
                details: { first_row: rows[0].row, last_row: rows[rows.length - 1].row },
              },
            },
          );
          createdIds.push(...ids);
          c.created += ids.length;
          for (const u of toUpdate) {
            const snap = await applyUpdate(trx, u.lead, u.m, now);
            if (snap) {
              updatedSnapshots.push(snap);
              c.updated++;
            } else c.skipped++;
          }
          if (updatedSnapshots.length)
            await leadWriter.afterUpdated(
              trx,
              orgId,
              await imports.leadsByIds(
                trx,
                orgId,
                updatedSnapshots.map((u) => u.id),
              ),
            );
        }
        if (errors.length) await imports.insertErrors(trx, errors);
        const last = rows[rows.length - 1].row;
        if (!opts.dry_run && (createdIds.length || updatedSnapshots.length)) {
          await imports.insertBatch(trx, {
            org_id: orgId,
            import_id: importId,
            first_row: rows[0].row,
            last_row: last,
            created_ids: JSON.stringify(createdIds),
            updated: JSON.stringify(updatedSnapshots),
            created_at: now,
          });
        }
        await imports.update(trx, orgId, importId, {
          rows_read: imp!.rows_read + counts.read + c.read,
          rows_created: imp!.rows_created + counts.created + c.created,
          rows_updated: imp!.rows_updated + counts.updated + c.updated,
          rows_skipped: imp!.rows_skipped + counts.skipped + c.skipped,
          rows_failed: imp!.rows_failed + counts.failed + c.failed,
          next_row: last,
          warnings: Object.keys(warnings).length ? JSON.stringify(warnings) : null,
          bytes_done: src!.bytesRead(),
          run_seconds: imp!.run_seconds + (Date.now() - segmentStart) / 1000,
          updated_at: now,
        });
      });
      for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += c[k];
    }

    // Statistics are refreshed when this run has written 1,000, 10,000, 100,000... rows, and at the end; on
    // PostgreSQL also every 100,000 rows past 100,000 (an ANALYZE samples 30,000 rows a table, ~0.5 s at any
    // size, and its VACUUM of the keys reads only what was added: refreshStats).
    let statsAt = 1000;
    const maybeRefreshStats = async () => {
      if (opts.dry_run || counts.created + counts.updated < statsAt) return;
      statsAt = isPostgres(db) && statsAt >= 100_000 ? statsAt + 100_000 : statsAt * 10;
      await refreshStats(db);
    };
    const uncapCache = await capSqliteCache(db);
    try {
      src = openRows(imp.file_path, sniffedOf(imp));
      for await (const r of withHeader(src, () => undefined)) {
        if (r.row <= resumeAfter) continue;
        batch.push(r);
        if (batch.length >= batchSize) {
          await commit(batch);
          await maybeRefreshStats();
          batch = [];
          // Stopping between batches leaves a clean resume point (next_row) for the next worker.
          if (signal.aborted) return;
        }
      }
      if (batch.length) await commit(batch);
      if (!opts.dry_run && counts.created + counts.updated > 0) await refreshStats(db);
    } catch (err) {
      if (signal.aborted) return;
      await inTransaction(db, {}, async (trx) => {
        await imports.update(trx, orgId, importId, {
          status: 'failed',
          error: (err as Error).message,
          finished_at: nowIso(),
          updated_at: nowIso(),
        });
        await onFinished?.(trx, orgId, importId);
      });
      throw err;
    } finally {
      src?.close();
      // Best effort: a connection closed under a stopping process has no cache left to size.
      await uncapCache().catch(() => undefined);
    }
    const fresh = (await imports.find(orgId, importId))!;
    await inTransaction(db, {}, async (trx) => {
      await imports.update(trx, orgId, importId, {
        status: 'completed',
        finished_at: nowIso(),
        bytes_done: fresh.size_bytes,
        run_seconds: imp.run_seconds + (Date.now() - segmentStart) / 1000,
        updated_at: nowIso(),
      });
      await onFinished?.(trx, orgId, importId);
    });
  };
}
