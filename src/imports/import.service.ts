import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { normalizeCountry } from '../lib/countries.js';
import type { JobQueue } from '../jobs/job.worker.js';
import { sniff, type Sniffed } from './sniff.js';
import { openRows, readJsonTable, withHeader } from './readers.js';
import { suggestMapping, suggestNullValues } from './mapping.js';
import { validateMapping } from './row-mapper.js';
import type { ImportRepository, ImportRow } from './import.repository.js';
import { IMPORT_JOB, sniffedOf } from './import.runner.js';
import { REVERT_JOB } from './import.revert.js';
import {
  toImportResponse,
  type ImportDto,
  type RunBodyInput,
  type RunOptions,
  type StoredPreview,
} from './import.schema.js';
import { inTransaction } from '../db/unit-of-work.js';
import type { CustomFieldDefRow } from '../pipeline/reason.repository.js';
import type { CustomFieldDto, CustomFieldInput } from '../pipeline/custom-field.service.js';
import type { Mapping } from './mapping.js';
import { guessFieldType, scanColumns } from './column-scan.js';
import { effectiveValueMap, suggestValues, type ValueMap } from './value-map.js';
import { readFlag } from './cell-values.js';
import { parseCountry } from './parse-values.js';

export interface ImportServiceDeps {
  db: Kysely<Database>;
  imports: ImportRepository;
  statuses: StatusRepository;
  customFields: {
    listFields(orgId: number, trx?: Kysely<Database>): Promise<CustomFieldDefRow[]>;
    ensureCustomField(
      orgId: number,
      input: CustomFieldInput,
      trx?: Kysely<Database>,
    ): Promise<CustomFieldDto>;
  };
  queue: JobQueue;
  dataDir: string;
  maxBytes: number;
}

export interface UploadedFile {
  filename: string;
  stream: Readable;
  /** True when the upload went over the size limit and was cut. */
  truncated(): boolean;
}

const PREVIEW_ROWS = 10;
const SNIFF_BYTES = 64 * 1024;

function readHead(file: string): { head: Buffer; size: number } {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    fs.readSync(fd, head, 0, head.length, 0);
    return { head, size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the header (first non-blank row) and the first rows after it. */
async function preview(
  file: string,
  s: Sniffed,
): Promise<{ header: string[]; headerRow: number; rows: string[][]; jsonPath: string | null }> {
  if (s.format === 'json') {
    const t = readJsonTable(file, s);
    return { header: t.header, headerRow: 0, rows: t.rows.slice(0, PREVIEW_ROWS), jsonPath: t.path };
  }
  const src = openRows(file, s);
  let header: string[] = [];
  let headerRow = 0;
  const rows: string[][] = [];
  try {
    for await (const r of withHeader(src, (h, n) => ((header = h), (headerRow = n)))) {
      rows.push(r.cells.map((c) => c));
      if (rows.length >= PREVIEW_ROWS) break;
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const what = s.format === 'xlsx' ? 'an Excel workbook (XLSX)' : 'CSV';
    throw new AppError(
      'bad_request',
      `The file could not be read as ${what}: ${(e as Error).message}. Save it again from the tool it comes from, or as CSV.`,
      [{ field: 'file', message: 'unreadable' }],
    );
  } finally {
    src.close();
  }
  return { header, headerRow, rows, jsonPath: null };
}

export function createImportService({
  db,
  imports,
  statuses,
  customFields,
  queue,
  dataDir,
  maxBytes,
}: ImportServiceDeps) {
  async function load(auth: AuthContext, id: number) {
    assertCan(auth, 'leads:import');
    const imp = await imports.find(auth.orgId, id);
    if (!imp) throw notFound('Import', id);
    return imp;
  }

  /** The fields a run creates: every column mapped to a custom field that the organization has not defined. */
  function fieldsToCreate(detected: StoredPreview, mapping: Mapping, defs: CustomFieldDefRow[]) {
    const known = new Set(defs.map((d) => d.key));
    const out: Array<{ column: string; key: string; type: string; options: string[] | null }> = [];
    for (const [column, target] of Object.entries(mapping)) {
      // A Leadflow export's cf.<key> columns come from an organization that chose not to define them.
      if (!target?.startsWith('custom_fields.') || column.startsWith('cf.')) continue;
      const key = target.slice(14);
      if (known.has(key) || out.some((f) => f.key === key)) continue;
      const g = guessFieldType(detected.column_scan?.columns[column]);
      out.push({ column, key, type: g.type, options: g.options });
    }
    return out;
  }

  /** Value lists with suggestions, and the fields to create, for a mapping (the stored one by default). */
  async function suggestionsFor(orgId: number, imp: ImportRow, mapping?: Mapping) {
    const detected = JSON.parse(imp.detected) as StoredPreview;
    const opts = imp.options ? (JSON.parse(imp.options) as RunOptions) : null;
    const m = mapping ?? opts?.mapping ?? detected.suggested_mapping;
    const defs = await customFields.listFields(orgId);
    const fields = fieldsToCreate(detected, m, defs);
    // Fields about to be created take part as if defined (a created enum lists its own options).
    const allDefs = [
      ...defs,
      ...fields.map((f) => ({
        key: f.key,
        label: f.column,
        type: f.type,
        options: f.options ? JSON.stringify(f.options) : null,
        required: 0,
      })),
    ];
    const value_suggestions = detected.column_scan
      ? suggestValues(m, detected.column_scan, {
          statuses: await statuses.listByOrg(orgId),
          members: await imports.listMembers(orgId),
          defs: allDefs,
        })
      : [];
    return { value_suggestions, field_suggestions: fields };
  }

  async function respond(imps: ImportRow[]): Promise<ImportDto[]> {
    const names = await imports.userNames([
      ...new Set(imps.flatMap((i) => (i.created_by !== null ? [i.created_by] : []))),
    ]);
    return imps.map((i) => toImportResponse(i, names));
  }

  async function decorated(auth: AuthContext, imp: ImportRow): Promise<ImportDto> {
    const [dto] = await respond([imp]);
    if (imp.status !== 'uploaded') return dto;
    return { ...dto, ...(await suggestionsFor(auth.orgId, imp)) };
  }

  const service = {
    /** Stores the upload, works out what it really is and reads a preview. Refuses what it cannot import. */
    async upload(auth: AuthContext, file: UploadedFile): Promise<ImportDto> {
      assertCan(auth, 'leads:import');
      const dir = path.join(dataDir, 'imports', String(auth.orgId));
      fs.mkdirSync(dir, { recursive: true });
      const stored = path.join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}.upload`);
      let keep = false;
      try {
        await pipeline(file.stream, fs.createWriteStream(stored));
        if (file.truncated()) {
          throw new AppError(
            'payload_too_large',
            `The file is larger than the import limit of ${Math.round(maxBytes / 1024 / 1024)} MB; split it into several files.`,
          );
        }
        const { head, size } = readHead(stored);
        const s = sniff(head, size <= SNIFF_BYTES);
        const p = await preview(stored, s);
        if (p.header.length === 0) {
          throw new AppError(
            'bad_request',
            'The file has no header row: only blank rows were found. The first non-blank row must name the columns.',
            [{ field: 'file', message: 'no header row' }],
          );
        }
        if (p.rows.length === 0) {
          throw new AppError(
            'bad_request',
            'The file has a header row but no data rows: there are no leads to import.',
            [{ field: 'file', message: 'no data rows' }],
          );
        }
        const sug = suggestMapping(p.header);
        const detected: StoredPreview = {
          header_row: p.headerRow,
          json_path: p.jsonPath,
          bom_length: s.bomLength,
          ...sug,
          suggested_null_values: suggestNullValues(p.rows),
          column_scan: await scanColumns(stored, s, []),
        };
        const now = nowIso();
        const row = await imports.insert({
          org_id: auth.orgId,
          created_by: auth.userId,
          status: 'uploaded',
          file_name: (file.filename || 'upload').slice(0, 255),
          file_path: stored,
          size_bytes: size,
          format: s.format,
          encoding: s.encoding,
          delimiter: s.delimiter,
          detected: JSON.stringify(detected),
          header: JSON.stringify(p.header),
          preview_rows: JSON.stringify(p.rows),
          options: null,
          dry_run: 0,
          job_id: null,
          rows_read: 0,
          rows_created: 0,
          rows_updated: 0,
          rows_skipped: 0,
          rows_failed: 0,
          next_row: 0,
          bytes_done: 0,
          started_at: null,
          finished_at: null,
          run_seconds: 0,
          error: null,
          reverted_at: null,
          revert_summary: null,
          warnings: null,
          created_at: now,
          updated_at: now,
        });
        keep = true;
        return await decorated(auth, row);
      } finally {
        if (!keep) fs.rmSync(stored, { force: true });
      }
    },

    async get(auth: AuthContext, id: number): Promise<ImportDto> {
      return decorated(auth, await load(auth, id));
    },

    /** The value-mapping step for a mapping the user edited: value lists, suggestions, fields to create. */
    async valueSuggestions(auth: AuthContext, id: number, mapping?: Mapping) {
      const imp = await load(auth, id);
      if (mapping) {
        const errors = validateMapping(mapping, JSON.parse(imp.header) as string[]);
        if (errors.length)
          throw new AppError(
            'unprocessable',
            errors.map((e) => `${e.field} ${e.message}`).join('; '),
            errors,
          );
      }
      return suggestionsFor(auth.orgId, imp, mapping);
    },

    async list(auth: AuthContext, limit: number, cursor?: string) {
      assertCan(auth, 'leads:import');
      const before = cursor !== undefined ? Number(cursor) : undefined;
      if (before !== undefined && (!Number.isInteger(before) || before < 1))
        throw new AppError('bad_request', 'cursor is not valid; use next_cursor from the previous page.', [
          { field: 'cursor', message: 'is not valid' },
        ]);
      const rows = await imports.list(auth.orgId, limit + 1, before);
      const page = rows.slice(0, limit);
      return {
        data: await respond(page),
        next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null,
      };
    },

    /** Checks the run request and queues the import as a background job. */
    async run(auth: AuthContext, id: number, body: RunBodyInput): Promise<ImportDto> {
      const imp = await load(auth, id);
      if (imp.status !== 'uploaded') {
        throw new AppError(
          'conflict',
          `Import ${id} is ${imp.status}; an upload runs once. Upload the file again to import it again.`,
        );
      }
      const header = JSON.parse(imp.header) as string[];
      const detected = JSON.parse(imp.detected) as StoredPreview;
      const mapping = body.mapping ?? detected.suggested_mapping;
      const errors: FieldError[] = validateMapping(mapping, header);
      if (!Object.values(mapping).some((t) => t))
        errors.push({ field: 'mapping', message: 'maps no column: map at least one column to a lead field' });
      const d = body.defaults ?? {};
      if (d.status !== undefined) {
        const st = await statuses.findByKey(auth.orgId, d.status);
        if (!st) errors.push({ field: 'defaults.status', message: `is not a status of this organization` });
        else if (st.reason_required)
          errors.push({
            field: 'defaults.status',
            message: `"${d.status}" needs a reason per lead and cannot be an import default`,
          });
      }
      if (
        d.owner_id !== undefined &&
        !(await imports.listMembers(auth.orgId)).some((m) => m.user_id === d.owner_id)
      ) {
        errors.push({ field: 'defaults.owner_id', message: 'is not an active user of this organization' });
      }
      if (d.country !== undefined && !normalizeCountry(d.country))
        errors.push({
          field: 'defaults.country',
          message: 'must be an ISO 3166-1 alpha-2 code such as "US"',
        });
      const sug = errors.length ? null : await suggestionsFor(auth.orgId, imp, mapping);
      const creates = new Map<
        string,
        { key: string; type: string; label: string; options: string[] | null }
      >();
      // By default every column kept as a custom field the organization has not defined becomes a field (issue
      // 15): `create_fields: { column: null }` keeps that column's values as undefined text instead.
      for (const f of sug?.field_suggestions ?? []) creates.set(f.column, { ...f, label: f.column });
      for (const [col, f] of Object.entries(body.create_fields ?? {})) {
        const target = mapping[col];
        if (!target?.startsWith('custom_fields.')) {
          errors.push({
            field: `create_fields.${col}`,
            message: 'is not a column mapped to custom_fields.<key>',
          });
          continue;
        }
        if (f === null) creates.delete(col);
        else {
          if (f.type === 'enum' && !f.options?.length && !creates.get(col)?.options?.length)
            errors.push({
              field: `create_fields.${col}.options`,
              message: 'an enum field needs its options',
            });
          creates.set(col, {
            key: target.slice(14),
            type: f.type,
            label: f.label ?? col,
            options: f.type === 'enum' ? (f.options ?? creates.get(col)?.options ?? []) : null,
          });
        }
      }
      if (body.value_map) errors.push(...(await checkValueMap(auth.orgId, mapping, body.value_map, creates)));
      if (errors.length)
        throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
      // Created fields change what a value means (an enum lists its own options): suggest against them.
      // The suggested value mappings apply unless the caller changes them (value by value).
      const valueMap = effectiveValueMap(sug!.value_suggestions, body.value_map);
      // Duplicates default to every identifier the file has, so importing a file twice makes no duplicates.
      const ids = (['email', 'phone', 'external_id'] as const).filter((k) =>
        Object.values(mapping).includes(k),
      );
      const options: RunOptions = {
        mapping,
        value_map: valueMap,
        created_fields: [...creates.values()].map((c) => c.key),
        dedupe: body.dedupe ?? (ids.length ? { on: [...ids], policy: 'skip' } : null),
        defaults: { ...d, ...(d.country ? { country: normalizeCountry(d.country)! } : {}) },
        null_values: body.null_values ?? [],
        date_order: body.date_order ?? 'mdy',
        dry_run: body.dry_run ?? false,
      };
      await inTransaction(db, {}, async (trx) => {
        const now = nowIso();
        const ok = await imports.transition(trx, auth.orgId, id, ['uploaded'], {
          status: 'queued',
          options: JSON.stringify(options),
          dry_run: options.dry_run ? 1 : 0,
          updated_at: now,
        });
        if (!ok) throw new AppError('conflict', `Import ${id} was started by another request.`);
        if (!options.dry_run) {
          let position = 1000;
          for (const c of creates.values())
            await customFields.ensureCustomField(
              auth.orgId,
              {
                key: c.key,
                label: c.label.slice(0, 200),
                type: c.type as CustomFieldInput['type'],
                options: c.options,
                position: position++,
              },
              trx,
            );
        }
        const jobId = await queue.enqueue(trx, auth.orgId, IMPORT_JOB, { import_id: id });
        await imports.update(trx, auth.orgId, id, { job_id: jobId });
      });
      queue.wake();
      return (await respond([await load(auth, id)]))[0];
    },

    async revert(auth: AuthContext, id: number): Promise<ImportDto> {
      const imp = await load(auth, id);
      if (imp.status !== 'completed')
        throw new AppError(
          'conflict',
          `Import ${id} is ${imp.status}; only a completed import can be reverted.`,
        );
      if (imp.dry_run)
        throw new AppError(
          'conflict',
          `Import ${id} was a dry run: it changed nothing, so there is nothing to revert.`,
        );
      await inTransaction(db, {}, async (trx) => {
        const now = nowIso();
        const ok = await imports.transition(trx, auth.orgId, id, ['completed'], {
          status: 'reverting',
          updated_at: now,
        });
        if (!ok) throw new AppError('conflict', `Import ${id} is already being reverted.`);
        await queue.enqueue(trx, auth.orgId, REVERT_JOB, { import_id: id });
      });
      queue.wake();
      return (await respond([await load(auth, id)]))[0];
    },

    /**
     * failed-rows.csv: every failed row as the file had it (all its columns, in the file's order) plus an "error"
     * column with each problem, ready to fix and import again. Streams the stored file beside errors.csv's pages.
     */
    async failedRowsCsv(auth: AuthContext, id: number): Promise<AsyncIterable<string>> {
      const imp = await load(auth, id);
      if (!fs.existsSync(imp.file_path))
        throw new AppError('conflict', `The file of import ${id} is no longer stored.`);
      const header = JSON.parse(imp.header) as string[];
      return (async function* () {
        yield [...header, 'error'].map(csvCell).join(',') + '\r\n';
        if (imp.rows_failed === 0) return;
        // Errors are written batch after batch in row order, so both walk forward together.
        let page: Awaited<ReturnType<ImportRepository['errorsPage']>> = [];
        let at = 0;
        let after = 0;
        let done = false;
        const peek = async () => {
          if (at >= page.length && !done) {
            page = await imports.errorsPage(auth.orgId, id, after, 1000);
            at = 0;
            if (page.length === 0) done = true;
            else after = page[page.length - 1].id;
          }
          return at < page.length ? page[at] : null;
        };
        const src = openRows(imp.file_path, sniffedOf(imp));
        try {
          for await (const r of withHeader(src, () => undefined)) {
            let e = await peek();
            if (!e) return;
            const messages: string[] = [];
            while (e && e.row_number <= r.row) {
              if (e.row_number === r.row)
                messages.push(e.column_name ? `${e.column_name}: ${e.message}` : e.message);
              at++;
              e = await peek();
            }
            if (messages.length)
              yield (
                [...header.map((_, i) => r.cells[i] ?? ''), messages.join('; ')].map(csvCell).join(',') +
                '\r\n'
              );
          }
        } finally {
          src.close();
        }
      })();
    },

    /** The first `limit` problems of an import, in row order (one per bad cell), for answers that list them. */
    async errorList(auth: AuthContext, id: number, limit = 1000) {
      await load(auth, id);
      const page = await imports.errorsPage(auth.orgId, id, 0, Math.min(Math.max(limit, 1), 10_000));
      return page.map((e) => ({
        row: e.row_number,
        column: e.column_name,
        value: e.value,
        message: e.message,
      }));
    },

    /** errors.csv: one line per problem (a row with two bad cells has two lines). */
    async errorsCsv(auth: AuthContext, id: number): Promise<AsyncIterable<string>> {
      await load(auth, id);
      return (async function* () {
        yield 'row,column,value,message\r\n';
        let after = 0;
        for (;;) {
          const page = await imports.errorsPage(auth.orgId, id, after, 1000);
          if (page.length === 0) return;
          yield (
            page
              .map((e) =>
                [String(e.row_number), e.column_name ?? '', e.value ?? '', e.message].map(csvCell).join(','),
              )
              .join('\r\n') + '\r\n'
          );
          after = page[page.length - 1].id;
        }
      })();
    },
  };

  /** Every target of a value map must exist: a status key, an active user, a flag word, a country... */
  async function checkValueMap(
    orgId: number,
    mapping: Mapping,
    valueMap: ValueMap,
    creates: Map<string, { key: string; type: string; options: string[] | null }>,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const sts = await statuses.listByOrg(orgId);
    const members = await imports.listMembers(orgId);
    const defs = new Map((await customFields.listFields(orgId)).map((d) => [d.key, d]));
    for (const [col, m] of Object.entries(valueMap)) {
      const target = mapping[col];
      if (!target) {
        errors.push({ field: `value_map.${col}`, message: 'is not a mapped column of the file' });
        continue;
      }
      const key = target.startsWith('custom_fields.') ? target.slice(14) : null;
      const created = [...creates.values()].find((c) => c.key === key);
      const def = key ? (defs.get(key) ?? created) : undefined;
      const type = def?.type;
      const options: string[] | null = def
        ? 'id' in def
          ? def.options
            ? (JSON.parse(def.options) as string[])
            : null
          : def.options
        : null;
      for (const [value, to] of Object.entries(m)) {
        if (to === null) continue;
        const field = `value_map.${col}.${value}`;
        let bad: string | null = null;
        if (target === 'status') {
          if (!sts.some((x) => x.key === to)) bad = `"${to}" is not a status key of this organization`;
        } else if (target === 'owner') {
          if (!members.some((x) => String(x.user_id) === to || x.email.toLowerCase() === to.toLowerCase()))
            bad = `"${to}" is not an active user (id or email) of this organization`;
        } else if (target === 'converted' || type === 'boolean') {
          if (readFlag(to) === null) bad = 'must be "true" or "false"';
        } else if (target === 'country') {
          if (!parseCountry(to)) bad = 'must be an ISO 3166-1 alpha-2 code such as "US"';
        } else if (target === 'rating') {
          if (!/^[1-5]$/.test(to)) bad = 'must be a rating from 1 to 5';
        } else if (type === 'enum' && options && !options.some((o) => o.toLowerCase() === to.toLowerCase())) {
          bad = `must be one of: ${options.join(', ')}`;
        }
        if (bad) errors.push({ field, message: bad });
      }
    }
    return errors;
  }

  return service;
}

export function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export type ImportService = ReturnType<typeof createImportService>;
