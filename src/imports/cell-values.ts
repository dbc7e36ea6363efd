import { parseDate, parseTimestamp, type DateOrder } from './parse-values.js';

/** A custom field definition of the organization (values of defined fields are typed and checked). */
export interface CustomFieldDef {
  key: string;
  label: string;
  type: string;
  options: string | null;
  required: number;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'oui', 'ja', 'si', 'x']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'non', 'nein']);
/** Every word read as a yes/no (the flags and boolean fields of a file). */
export const BOOLEAN_WORDS: ReadonlySet<string> = new Set([...TRUE_WORDS, ...FALSE_WORDS]);

/** true / false for a yes/no word, or null. */
export function readFlag(v: string): boolean | null {
  const w = v.trim().toLowerCase();
  return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : null;
}

/** The typed value of a defined custom field, or an error message. */
export function customValue(
  def: CustomFieldDef,
  v: string,
  order: DateOrder,
): { ok: string | number | boolean } | { error: string } {
  switch (def.type) {
    case 'number': {
      const n = Number(v.replace(/\s/g, '').replace(/^(-?\d+),(\d+)$/, '$1.$2'));
      return Number.isFinite(n) ? { ok: n } : { error: `must be a number ("${def.label}")` };
    }
    case 'boolean': {
      const w = v.toLowerCase();
      return TRUE_WORDS.has(w)
        ? { ok: true }
        : FALSE_WORDS.has(w)
          ? { ok: false }
          : { error: `must be yes or no ("${def.label}")` };
    }
    case 'date': {
      const d = parseDate(v, order);
      return d ? { ok: d } : { error: `must be a date ("${def.label}")` };
    }
    case 'datetime': {
      const t = parseTimestamp(v, order);
      return t ? { ok: t } : { error: `must be a date and time ("${def.label}")` };
    }
    case 'enum': {
      const options = def.options ? (JSON.parse(def.options) as string[]) : [];
      const hit = options.find((o) => o.toLowerCase() === v.toLowerCase());
      return hit !== undefined
        ? { ok: hit }
        : { error: `must be one of: ${options.join(', ')} ("${def.label}")` };
    }
    default:
      return { ok: v };
  }
}

/** Values inside a cell that holds several: a JSON list ([{"value": ...}]) or "a; b". */
export function splitMulti(v: string): string[] {
  if (v.startsWith('[')) {
    try {
      const arr = JSON.parse(v) as unknown[];
      if (Array.isArray(arr)) {
        return arr
          .map((x) =>
            x && typeof x === 'object'
              ? ((x as Record<string, unknown>).value ??
                (x as Record<string, unknown>).email ??
                (x as Record<string, unknown>).number)
              : x,
          )
          .filter((x) => x !== null && x !== undefined && String(x).trim() !== '')
          .map((x) => String(x).trim());
      }
    } catch {
      /* not JSON: read as text */
    }
  }
  return v.includes(';')
    ? v
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean)
    : [v];
}
