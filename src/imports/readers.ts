import fs from 'node:fs';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { AppError } from '../http/errors.js';
import type { Sniffed } from './sniff.js';

/** One row of the file: `row` is its number as a spreadsheet shows it (for JSON, the record number). */
export interface FileRow {
  row: number;
  cells: string[];
}

export interface RowSource {
  rows: AsyncIterable<FileRow>;
  /** Bytes of the file read so far (for the progress percent). */
  bytesRead(): number;
  close(): void;
}

/** JSON is parsed whole, so it has its own (smaller) limit. */
export const JSON_MAX_BYTES = 64 * 1024 * 1024;

function countingStream(path: string, start: number) {
  // Fail early and plainly (the streams below would report it asynchronously).
  fs.accessSync(path, fs.constants.R_OK);
  const stream = fs.createReadStream(path, { start, highWaterMark: 256 * 1024 });
  let bytes = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  stream.on('error', (e) => counter.destroy(e));
  stream.pipe(counter);
  return { stream: counter, source: stream, bytes: () => bytes };
}

function openCsv(path: string, s: Sniffed): RowSource {
  const { stream, source, bytes } = countingStream(path, s.bomLength);
  const input = s.encoding === 'utf-8' ? stream : stream.pipe(iconv.decodeStream(s.encoding!));
  const parser = parse({
    delimiter: s.delimiter ?? ',',
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    bom: true,
    encoding: 'utf8',
  });
  input.pipe(parser);
  // pipe() does not carry errors: a read error (file gone, bad bytes) must end the parser's iteration.
  const fail = (e: Error) => parser.destroy(e);
  stream.on('error', fail);
  if (input !== stream) input.on('error', fail);
  async function* rows(): AsyncGenerator<FileRow> {
    let n = 0;
    for await (const rec of parser as AsyncIterable<string[]>) {
      n++;
      yield { row: n, cells: rec };
    }
  }
  return {
    rows: rows(),
    bytesRead: bytes,
    close() {
      source.destroy();
      parser.destroy();
    },
  };
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

function openXlsx(path: string): RowSource {
  const { stream, source, bytes } = countingStream(path, 0);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  async function* rows(): AsyncGenerator<FileRow> {
    // Only the first worksheet: that is where every CRM export puts its records.
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield { row: row.number, cells };
      }
      return;
    }
  }
  return { rows: rows(), bytesRead: bytes, close: () => source.destroy() };
}

/** Flattens one JSON record into `column -> text`: nested objects as `a.b`, arrays of values joined. */
function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, string>) {
  for (const [k, v] of Object.entries(obj)) {
    // Salesforce tree exports describe each record in `attributes` (type, referenceId): metadata, not lead data.
    if (prefix === '' && k === 'attributes' && v && typeof v === 'object' && 'type' in (v as object))
      continue;
    const key = prefix + k;
    if (v === null || v === undefined) out.set(key, '');
    else if (Array.isArray(v)) {
      out.set(
        key,
        v.every((x) => x === null || typeof x !== 'object')
          ? v.map((x) => cellText(x)).join(', ')
          : JSON.stringify(v),
      );
    } else if (typeof v === 'object') flatten(v as Record<string, unknown>, `${key}.`, out);
    else out.set(key, cellText(v));
  }
}

const RECORD_KEYS = ['records', 'leads', 'contacts', 'data', 'items', 'results', 'rows', 'people', 'persons'];

/** Finds the array of records: the top-level array, or the array under a usual key of a top-level object. */
export function findRecords(doc: unknown): { records: Record<string, unknown>[]; path: string } {
  const isRecords = (a: unknown): a is Record<string, unknown>[] =>
    Array.isArray(a) &&
    a.length > 0 &&
    a.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
  if (Array.isArray(doc)) {
    if (doc.length === 0)
      throw new AppError('bad_request', 'The JSON array is empty: there are no leads to import.', [
        { field: 'file', message: 'empty JSON array' },
      ]);
    if (isRecords(doc)) return { records: doc, path: '$' };
  } else if (doc && typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    for (const k of RECORD_KEYS)
      if (isRecords(o[k])) return { records: o[k] as Record<string, unknown>[], path: `$.${k}` };
    for (const [k, v] of Object.entries(o)) if (isRecords(v)) return { records: v, path: `$.${k}` };
  }
  throw new AppError(
    'bad_request',
    'The JSON file holds no array of lead objects. Upload a JSON array of objects ([{"first_name": ...}, ...]) or an object with such an array under "records", "leads" or "contacts".',
    [{ field: 'file', message: 'no array of objects' }],
  );
}

export function readJsonTable(
  path: string,
  s: Sniffed,
): { header: string[]; rows: string[][]; path: string } {
  const size = fs.statSync(path).size;
  if (size > JSON_MAX_BYTES) {
    throw new AppError(
      'payload_too_large',
      `JSON imports are read whole and are limited to ${JSON_MAX_BYTES / 1024 / 1024} MB; export a CSV for larger files.`,
    );
  }
  const text = iconv.decode(fs.readFileSync(path).subarray(s.bomLength), s.encoding ?? 'utf-8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppError(
      'bad_request',
      `The file starts like JSON but is not valid JSON: ${(e as Error).message}`,
      [{ field: 'file', message: 'invalid JSON' }],
    );
  }
  const found = findRecords(doc);
  const flat = found.records.map((r) => {
    const m = new Map<string, string>();
    flatten(r, '', m);
    return m;
  });
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const m of flat) {
    for (const k of m.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return { header: cols, rows: flat.map((m) => cols.map((c) => m.get(c) ?? '')), path: found.path };
}

function openJson(path: string, s: Sniffed): RowSource {
  const t = readJsonTable(path, s);
  const size = fs.statSync(path).size;
  let done = 0;
  async function* rows(): AsyncGenerator<FileRow> {
    // Row 0 is the synthetic header so every format yields header-then-data.
    yield { row: 0, cells: t.header };
    for (let i = 0; i < t.rows.length; i++) {
      done = Math.round(((i + 1) / t.rows.length) * size);
      yield { row: i + 1, cells: t.rows[i] };
    }
  }
  return { rows: rows(), bytesRead: () => done, close: () => undefined };
}

export function openRows(path: string, s: Sniffed): RowSource {
  if (s.format === 'csv') return openCsv(path, s);
  if (s.format === 'xlsx') return openXlsx(path);
  return openJson(path, s);
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');

/** Unique, non-empty column names ("Email", "Email (2)", "Column 3"). */
export function cleanHeader(cells: string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((c, i) => {
    let name = c.replace(/^\uFEFF/, '').trim() || `Column ${i + 1}`;
    const n = seen.get(name.toLowerCase()) ?? 0;
    seen.set(name.toLowerCase(), n + 1);
    if (n > 0) name = `${name} (${n + 1})`;
    return name;
  });
}

/**
 * Splits a row source into its header (the first non-blank row) and the data rows after it.
 * Blank rows carry no lead, so they are passed over everywhere.
 */
export async function* withHeader(
  src: RowSource,
  onHeader: (header: string[], row: number) => void,
): AsyncGenerator<FileRow> {
  let header: string[] | null = null;
  for await (const r of src.rows) {
    if (isBlank(r.cells)) continue;
    if (header === null) {
      header = cleanHeader(r.cells);
      onHeader(header, r.row);
      continue;
    }
    yield r;
  }
  if (header === null) onHeader([], 0);
}
