/**
 * Turns leads into model features (pure: no database, no I/O; the training worker and inference share it).
 *
 * Every feature is binary (one-hot): a categorical column (source, country, state, owner, team, text/enum/boolean
 * custom fields) gives one feature per frequent value plus "(other)" and "(none)"; a numeric column (number
 * custom fields, counts of activities and follow-ups) is cut at its training quantiles into bins, plus
 * "(none)"; each frequent tag is a feature. Binary features keep the Hessian sparse (fast Newton steps) and make
 * every weight readable as a sentence ("Source is Referral").
 */

/** What the model sees of one lead (values as of the outcome for training leads). */
export interface LeadSample {
  source: string | null;
  country: string | null;
  state: string | null;
  owner_id: number | null;
  team_id: number | null;
  custom: Record<string, unknown>;
  tags: string[];
  /** Tasks and notes on the lead (before the outcome, for training leads). */
  activities: number;
  /** Follow-ups of the lead (before the outcome, for training leads). */
  follow_ups: number;
}

/** Names shown in words: owners and teams by name, custom fields by label. */
export interface Labels {
  users: Record<string, string>;
  teams: Record<string, string>;
  fields: Record<string, string>;
}

export interface CategoricalColumn {
  kind: 'categorical';
  /** source | country | state | owner | team | cf.<key> */
  name: string;
  label: string;
  values: string[];
}
export interface NumericColumn {
  kind: 'numeric';
  name: string;
  label: string;
  /** Ascending cut points: bin i holds values in [edges[i-1], edges[i]). */
  edges: number[];
}
export interface TagColumn {
  kind: 'tags';
  name: 'tags';
  label: string;
  values: string[];
}
export type Column = CategoricalColumn | NumericColumn | TagColumn;

/** One binary feature: its column and, in words, what it says. */
export interface Feature {
  column: string;
  text: string;
}

export interface Encoder {
  columns: Column[];
  features: Feature[];
}

const MAX_VALUES = 40;
const MAX_BINS = 8;

function humanize(key: string): string {
  const s = key.replace(/[_.-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The raw value of a column for a lead (categorical columns as text, null when absent). */
function rawValue(s: LeadSample, name: string): unknown {
  switch (name) {
    case 'source':
      return s.source;
    case 'country':
      return s.country;
    case 'state':
      return s.state;
    case 'owner':
      return s.owner_id;
    case 'team':
      return s.team_id;
    case 'activities':
      return s.activities;
    case 'follow_ups':
      return s.follow_ups;
    default:
      return s.custom[name.slice(3)];
  }
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  const t = String(v).trim();
  return t === '' ? null : t;
}

function valueText(col: CategoricalColumn, v: string, labels: Labels): string {
  if (col.name === 'owner') return labels.users[v] ?? `user ${v}`;
  if (col.name === 'team') return labels.teams[v] ?? `team ${v}`;
  return v;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** Quantile cut points of the values (at most MAX_BINS bins, duplicate cuts merged). */
function quantileEdges(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < MAX_BINS; i++) {
    const q = sorted[Math.floor((i * sorted.length) / MAX_BINS)];
    if (q > sorted[0] && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
  }
  return edges;
}

function binOf(edges: number[], v: number): number {
  let i = 0;
  while (i < edges.length && v >= edges[i]) i++;
  return i;
}

function binText(label: string, edges: number[], i: number): string {
  if (edges.length === 0) return `${label} is set`;
  if (i === 0) return `${label} below ${fmt(edges[0])}`;
  if (i === edges.length) return `${label} ${fmt(edges[i - 1])} or more`;
  const lo = edges[i - 1];
  const hi = edges[i];
  return Number.isInteger(lo) && Number.isInteger(hi) && hi - lo === 1
    ? `${label} is ${fmt(lo)}`
    : `${label} from ${fmt(lo)} to under ${fmt(hi)}`;
}

/** Values seen fewer times than this among `n` training leads are too rare to learn from. */
export function minCount(n: number): number {
  return Math.max(3, Math.ceil(n * 0.005));
}

/**
 * Builds the columns and features from the training leads. Values seen fewer than `minCount` times fall into
 * "(other)"; columns that cannot help (one value, or an identifier: nearly every lead has its own value) are
 * left out.
 */
export function buildEncoder(samples: LeadSample[], labels: Labels): Encoder {
  const n = samples.length;
  const rare = minCount(n);
  const columns: Column[] = [];
  const cfKinds = new Map<string, 'numeric' | 'categorical'>();
  for (const s of samples)
    for (const [k, v] of Object.entries(s.custom)) {
      if (v === null || v === undefined || v === '') continue;
      const kind = typeof v === 'number' ? 'numeric' : 'categorical';
      const was = cfKinds.get(k);
      cfKinds.set(k, was && was !== kind ? 'categorical' : kind);
    }
  const categorical = ['source', 'country', 'state', 'owner', 'team'];
  const numeric = ['activities', 'follow_ups'];
  for (const [k, kind] of [...cfKinds].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    (kind === 'numeric' ? numeric : categorical).push(`cf.${k}`);
  const labelOf = (name: string) =>
    name.startsWith('cf.')
      ? (labels.fields[name.slice(3)] ?? humanize(name.slice(3)))
      : ({
          source: 'Source',
          country: 'Country',
          state: 'State',
          owner: 'Owner',
          team: 'Team',
          activities: 'Activities',
          follow_ups: 'Follow-ups',
        }[name] ?? humanize(name));

  for (const name of categorical) {
    const counts = new Map<string, number>();
    let present = 0;
    for (const s of samples) {
      const t = asText(rawValue(s, name));
      if (t === null) continue;
      present++;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    if (present === 0) continue;
    // An identifier (an email, a phone): nearly every lead has its own value; it says nothing about others.
    if (counts.size > 50 && counts.size > present * 0.5) continue;
    const values = [...counts]
      .filter(([, c]) => c >= rare)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_VALUES)
      .map(([v]) => v);
    const groups = values.length + (values.length < counts.size ? 1 : 0) + (present < n ? 1 : 0);
    if (groups < 2) continue;
    columns.push({ kind: 'categorical', name, label: labelOf(name), values });
  }
  for (const name of numeric) {
    const values: number[] = [];
    for (const s of samples) {
      const v = rawValue(s, name);
      if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
    }
    if (values.length === 0) continue;
    // A running number (an id): every value distinct and whole.
    if (
      name.startsWith('cf.') &&
      values.length > 50 &&
      new Set(values).size === values.length &&
      values.every(Number.isInteger)
    )
      continue;
    const edges = quantileEdges(values);
    if (edges.length === 0 && values.length === n) continue;
    columns.push({ kind: 'numeric', name, label: labelOf(name), edges });
  }
  const tagCounts = new Map<string, number>();
  for (const s of samples) for (const t of s.tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  const tags = [...tagCounts]
    .filter(([, c]) => c >= rare && c < n)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_VALUES)
    .map(([t]) => t);
  if (tags.length) columns.push({ kind: 'tags', name: 'tags', label: 'Tags', values: tags });

  const features: Feature[] = [];
  for (const c of columns) {
    if (c.kind === 'categorical') {
      for (const v of c.values)
        features.push({ column: c.name, text: `${c.label} is ${valueText(c, v, labels)}` });
      features.push({ column: c.name, text: `${c.label} is another value` });
      features.push({ column: c.name, text: `No ${c.label.toLowerCase()}` });
    } else if (c.kind === 'numeric') {
      for (let i = 0; i <= c.edges.length; i++)
        features.push({ column: c.name, text: binText(c.label, c.edges, i) });
      features.push({ column: c.name, text: `No ${c.label.toLowerCase()}` });
    } else {
      for (const t of c.values) features.push({ column: 'tags', text: `Tagged ${t}` });
    }
  }
  return { columns, features };
}

/** The indexes of the features a lead has (sorted, each feature worth 1). */
export function encode(enc: Pick<Encoder, 'columns'>, s: LeadSample): number[] {
  const out: number[] = [];
  let base = 0;
  for (const c of enc.columns) {
    if (c.kind === 'categorical') {
      const t = asText(rawValue(s, c.name));
      const i = t === null ? c.values.length + 1 : c.values.indexOf(t);
      out.push(base + (i === -1 ? c.values.length : i));
      base += c.values.length + 2;
    } else if (c.kind === 'numeric') {
      const v = rawValue(s, c.name);
      out.push(base + (typeof v === 'number' && Number.isFinite(v) ? binOf(c.edges, v) : c.edges.length + 1));
      base += c.edges.length + 2;
    } else {
      const have = new Set(s.tags);
      c.values.forEach((t, i) => {
        if (have.has(t)) out.push(base + i);
      });
      base += c.values.length;
    }
  }
  return out;
}
