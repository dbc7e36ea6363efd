import type { ColumnScan } from './column-scan.js';
import { readFlag, type CustomFieldDef } from './cell-values.js';
import { parseCountry } from './parse-values.js';
import type { Mapping } from './mapping.js';

/** column -> file value -> target (a status key, a user id, "true"/"false", an option...); null ignores it. */
export type ValueMap = Record<string, Record<string, string | null>>;

export interface StatusWordRef {
  key: string;
  label: string;
  category: string;
  is_default: number;
}
export interface MemberWordRef {
  user_id: number;
  email: string;
  name: string;
}

/** Lead fields whose values come from a vocabulary: the value-mapping step lists their distinct values. */
export const VOCABULARY_TARGETS = new Set(['status', 'owner', 'source', 'rating', 'country', 'converted']);

export interface ValueSuggestion {
  column: string;
  target: string;
  /** What a target means for this column: status keys, user ids, true/false, options, ISO codes, text. */
  kind: 'status' | 'owner' | 'flag' | 'option' | 'country' | 'rating' | 'text';
  values: Array<{ value: string; count: number; suggested: string | null }>;
  /** Every row of the file was read for this list (a very large file is listed from its first rows). */
  complete: boolean;
}

const lc = (s: string) => s.trim().toLowerCase();

/** Status suggestion by key, label, then the words CRMs use for each category. */
export function suggestStatus(value: string, statuses: StatusWordRef[]): string | null {
  const v = lc(value);
  const flat = v.replace(/[\s_-]+/g, ' ');
  const exact = statuses.find(
    (s) => lc(s.key) === v || lc(s.label) === v || s.key.replace(/_/g, ' ') === flat,
  );
  if (exact) return exact.key;
  const byKey = (...keys: string[]) => keys.map((k) => statuses.find((s) => s.key === k)).find(Boolean)?.key;
  const byCat = (cat: string) => statuses.find((s) => s.category === cat)?.key;
  const dflt = statuses.find((s) => s.is_default)?.key ?? statuses[0]?.key ?? null;
  // Order matters: "Not Contacted" is new before "contact" means in process; "Closed Won" is won before closed.
  const rules: Array<[RegExp, () => string | undefined | null]> = [
    [/junk|spam|invalid|fake|bogus|bad data/, () => byKey('invalid') ?? byCat('closed')],
    [/duplicat/, () => byKey('duplicate') ?? byCat('closed')],
    [/not qualified|unqualified|disqualif|lost|dead|reject/, () => byCat('lost')],
    [/not convert|not won|unconvert/, () => byKey('closed') ?? byCat('closed')],
    [/won|success|signed/, () => byCat('won')],
    // A converted lead of another CRM becomes a won one here: Leadflow's "converted" category is a lead turned
    // into a contact, which leaves the default lists (docs/decisions.md).
    [/convert/, () => byCat('won') ?? byCat('converted')],
    [/not contacted|^new|^open|untouched|unassigned/, () => dflt],
    [/qualif/, () => byKey('qualified')],
    [/future|later|hold|nurtur|wait|pending|paused/, () => byKey('on_hold') ?? byCat('on_hold')],
    [/contact|attempt|working|progress|call|reach|engag|follow/, () => byKey('in_process', 'assigned')],
    [/assign/, () => byKey('assigned')],
    [/recycl/, () => byKey('recycled')],
    [/proposal|quote/, () => byKey('proposal')],
    [/negotiat/, () => byKey('negotiation')],
    [/closed|archiv/, () => byCat('closed')],
  ];
  for (const [re, pick] of rules) if (re.test(flat)) return pick() ?? null;
  return null;
}

export function suggestOwner(value: string, members: MemberWordRef[]): string | null {
  const v = lc(value);
  const m = members.find(
    (x) =>
      String(x.user_id) === v || lc(x.email) === v || lc(x.name) === v || lc(x.email).split('@')[0] === v,
  );
  return m ? String(m.user_id) : null;
}

const RATING_WORDS: Record<string, number> = { hot: 5, warm: 3, cold: 1, high: 5, medium: 3, low: 1 };

/** The target a value is suggested to become, or null (the user picks, or it stays a warning). */
export function suggestValue(
  target: string,
  value: string,
  ctx: { statuses: StatusWordRef[]; members: MemberWordRef[]; def?: CustomFieldDef },
): string | null {
  switch (target) {
    case 'status':
      return suggestStatus(value, ctx.statuses);
    case 'owner':
      return suggestOwner(value, ctx.members);
    case 'converted': {
      const f = readFlag(value);
      return f === null ? null : String(f);
    }
    case 'country':
      return parseCountry(value);
    case 'rating': {
      if (/^[1-5]$/.test(value.trim())) return value.trim();
      const w = RATING_WORDS[lc(value)];
      return w ? String(w) : null;
    }
    default:
      if (ctx.def?.type === 'boolean') {
        const f = readFlag(value);
        return f === null ? null : String(f);
      }
      if (ctx.def?.type === 'enum') {
        const opts = ctx.def.options ? (JSON.parse(ctx.def.options) as string[]) : [];
        return opts.find((o) => lc(o) === lc(value)) ?? null;
      }
      return value;
  }
}

function kindOf(target: string, def?: CustomFieldDef): ValueSuggestion['kind'] {
  if (target === 'status') return 'status';
  if (target === 'owner') return 'owner';
  if (target === 'converted' || def?.type === 'boolean') return 'flag';
  if (def?.type === 'enum') return 'option';
  if (target === 'country') return 'country';
  if (target === 'rating') return 'rating';
  return 'text';
}

/** The value lists of every column the mapping sends to a vocabulary, each value with its suggested target. */
export function suggestValues(
  mapping: Mapping,
  scan: ColumnScan,
  ctx: { statuses: StatusWordRef[]; members: MemberWordRef[]; defs: CustomFieldDef[] },
): ValueSuggestion[] {
  const defs = new Map(ctx.defs.map((d) => [d.key, d]));
  const out: ValueSuggestion[] = [];
  for (const [column, target] of Object.entries(mapping)) {
    if (!target) continue;
    const def = target.startsWith('custom_fields.') ? defs.get(target.slice(14)) : undefined;
    const vocab = VOCABULARY_TARGETS.has(target) || def?.type === 'enum' || def?.type === 'boolean';
    const col = scan.columns[column];
    if (!vocab || !col || col.many) continue;
    // Source is free text: spellings that differ only by case ("Google"/"google") get the most common one.
    const bySpelling = new Map<string, string>();
    if (target === 'source')
      for (const { value } of col.values) if (!bySpelling.has(lc(value))) bySpelling.set(lc(value), value);
    out.push({
      column,
      target,
      kind: kindOf(target, def),
      values: col.values.map(({ value, count }) => ({
        value,
        count,
        suggested:
          target === 'source'
            ? bySpelling.get(lc(value))!
            : suggestValue(target, value, { statuses: ctx.statuses, members: ctx.members, def }),
      })),
      complete: scan.complete,
    });
  }
  return out;
}

/** The value map a run uses: the suggestions, with what the caller sent on top (value by value). */
export function effectiveValueMap(suggestions: ValueSuggestion[], given: ValueMap | undefined): ValueMap {
  const out: ValueMap = {};
  for (const s of suggestions) {
    const m: Record<string, string | null> = {};
    for (const v of s.values) if (v.suggested !== null) m[v.value] = v.suggested;
    out[s.column] = m;
  }
  for (const [col, m] of Object.entries(given ?? {})) out[col] = { ...(out[col] ?? {}), ...m };
  return out;
}
