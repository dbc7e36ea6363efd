import { openRows, withHeader } from './readers.js';
import type { Sniffed } from './sniff.js';
import { parseDate } from './parse-values.js';
import { BOOLEAN_WORDS } from './cell-values.js';

/** Distinct values of a column (as written, trimmed) with their counts, over the rows scanned. */
export interface ColumnValues {
  values: Array<{ value: string; count: number }>;
  /** More distinct values than VALUE_CAP: `values` holds none and the column is no vocabulary. */
  many: boolean;
  non_empty: number;
  /** Every non-empty value read as a number / date / yes-no word. */
  numbers: boolean;
  dates: boolean;
  /** Every non-empty value is a date with a time of day (a date-time field, so the time is not lost). */
  times?: boolean;
  booleans: boolean;
}

export interface ColumnScan {
  columns: Record<string, ColumnValues>;
  rows_scanned: number;
  /** The whole file was read (else only its first SCAN_ROWS rows). */
  complete: boolean;
}

/** Beyond this many distinct values a column is free text (names, emails), not a vocabulary. */
export const VALUE_CAP = 200;
/** Upload reads at most this many rows for the value lists: a minute's file is 1M rows, the preview is not. */
export const SCAN_ROWS = 100_000;

const NUMBER = /^-?\d+([.,]\d+)?$/;
const TIME = /\d{1,2}:\d{2}/;

/**
 * Reads the file once at upload and counts each column's distinct values (the value-mapping step lists them)
 * and which types its values fit (the type guess for a field created during import).
 */
export async function scanColumns(
  file: string,
  s: Sniffed,
  nullValues: string[],
  maxRows = SCAN_ROWS,
): Promise<ColumnScan> {
  const nulls = new Set(nullValues.map((v) => v.toLowerCase()));
  const src = openRows(file, s);
  let header: string[] = [];
  let counts: Array<Map<string, number> | null> = [];
  let stats: Array<Omit<ColumnValues, 'values' | 'many'>> = [];
  let n = 0;
  let complete = true;
  try {
    for await (const r of withHeader(src, (h) => {
      header = h;
      counts = h.map(() => new Map());
      stats = h.map(() => ({ non_empty: 0, numbers: true, dates: true, times: true, booleans: true }));
    })) {
      if (n >= maxRows) {
        complete = false;
        break;
      }
      n++;
      for (let i = 0; i < header.length; i++) {
        const v = (r.cells[i] ?? '').trim();
        if (v === '' || nulls.has(v.toLowerCase())) continue;
        const st = stats[i];
        st.non_empty++;
        if (st.numbers && !NUMBER.test(v)) st.numbers = false;
        if (st.booleans && !BOOLEAN_WORDS.has(v.toLowerCase())) st.booleans = false;
        if (st.dates && (NUMBER.test(v) || parseDate(v, 'mdy') === null)) st.dates = false;
        if (st.times && !(st.dates && TIME.test(v))) st.times = false;
        const m = counts[i];
        if (m) {
          m.set(v, (m.get(v) ?? 0) + 1);
          if (m.size > VALUE_CAP) counts[i] = null;
        }
      }
    }
  } finally {
    src.close();
  }
  const columns: Record<string, ColumnValues> = {};
  header.forEach((col, i) => {
    const m = counts[i];
    columns[col] = {
      values: m ? [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count) : [],
      many: m === null,
      ...stats[i],
    };
  });
  return { columns, rows_scanned: n, complete };
}

export interface FieldGuess {
  type: 'string' | 'number' | 'date' | 'datetime' | 'boolean' | 'enum';
  options: string[] | null;
}

/** The type of a field created from a column: number, date, yes/no, a few repeated values (enum), else text. */
export function guessFieldType(c: ColumnValues | undefined): FieldGuess {
  if (!c || c.non_empty === 0) return { type: 'string', options: null };
  if (c.booleans && c.values.length > 0 && c.values.length <= 3) return { type: 'boolean', options: null };
  if (c.numbers) return { type: 'number', options: null };
  if (c.dates) return { type: c.times ? 'datetime' : 'date', options: null };
  // Few distinct values, each repeated: a pick list (Industry, Lead Origin), not free text.
  if (!c.many && c.values.length >= 2 && c.values.length <= 30 && c.non_empty >= c.values.length * 3) {
    const seen = new Map<string, string>();
    for (const { value } of c.values)
      if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
    return { type: 'enum', options: [...seen.values()].map((o) => o.slice(0, 200)) };
  }
  return { type: 'string', options: null };
}
