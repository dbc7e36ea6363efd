import { zoneOffsetAt, isTimeZone } from '../shared/time.js';

/**
 * Vocabulary of seed 001 and its translation to the core. Pure functions: no I/O, no rules beyond naming.
 */

/** The document's numbered steps, each with the core status key it writes first and its category. */
export const STEPS: Record<number, { name: string; key: string; category: string }> = {
  459: { name: 'project', key: 'new', category: 'open' },
  460: { name: 'analysis', key: 'qualified', category: 'open' },
  461: { name: 'proposal', key: 'proposal', category: 'open' },
  462: { name: 'negociation', key: 'negotiation', category: 'open' },
  463: { name: 'closing', key: 'closing', category: 'open' },
  464: { name: 'production', key: 'production', category: 'won' },
  467: { name: 'exploitation', key: 'exploitation', category: 'won' },
  469: { name: 'done', key: 'won', category: 'won' },
  470: { name: 'lost', key: 'lost', category: 'lost' },
  535: { name: 'sleeping', key: 'on_hold', category: 'on_hold' },
};
export const STEP_IDS = Object.keys(STEPS).map(Number);

export interface StatusWord {
  key: string;
  category: string;
  is_default: boolean;
  position: number;
}

/**
 * The step a core status reads as: the step whose key it is, else by category (open -> 459 project,
 * on_hold -> 535 sleeping, won/converted -> 469 done, lost/closed -> 470 lost).
 */
export function stepOf(key: string, category: string): number {
  for (const id of STEP_IDS) if (STEPS[id].key === key) return id;
  switch (category) {
    case 'open':
      return 459;
    case 'on_hold':
      return 535;
    case 'won':
    case 'converted':
      return 469;
    default:
      return 470;
  }
}

/**
 * The core status a step writes: its key when the organization has that status, else the first status (in
 * pipeline order) that reads as this step, else the first of the step's category. Undefined when none exists.
 */
export function statusForStep(step: number, statuses: StatusWord[]): string | undefined {
  const s = STEPS[step];
  const ordered = [...statuses].sort((a, b) => a.position - b.position);
  if (ordered.some((x) => x.key === s.key)) return s.key;
  return (
    ordered.find((x) => stepOf(x.key, x.category) === step)?.key ??
    ordered.find((x) => x.category === s.category)?.key
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyy-mm-dd` (the core's date) -> `dd-mm-yyyy`; empty for none. */
export function renderDate(iso: string | null | undefined): string {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}-${m[2]}-${m[1]}` : '';
}

/** `dd-mm-yyyy` (or `dd/mm/yyyy`, or ISO `yyyy-mm-dd`) -> `yyyy-mm-dd`; undefined when it is not a real date. */
export function parseDate(value: string): string | undefined {
  const v = value.trim();
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(v);
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const [d, m, y] = dmy ? [+dmy[1], +dmy[2], +dmy[3]] : ymd ? [+ymd[3], +ymd[2], +ymd[1]] : [0, 0, 0];
  if (!y || y < 1900 || y > 2999) return undefined;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** An instant as the family's timestamp `dd-mm-yyyy-HH-MM`, in the organization's time zone (null = UTC). */
export function renderTimestamp(iso: string, timeZone: string | null): string {
  const ms = Date.parse(iso);
  const off = timeZone && isTimeZone(timeZone) ? zoneOffsetAt(timeZone, ms) : 0;
  const t = new Date(ms + off * 60000);
  return `${pad(t.getUTCDate())}-${pad(t.getUTCMonth() + 1)}-${t.getUTCFullYear()}-${pad(t.getUTCHours())}-${pad(t.getUTCMinutes())}`;
}

/** A money amount as the document writes it: a decimal with a dot ("1500.00"); a comma is read as the dot. */
export function parseAmount(value: string): string | undefined {
  const v = value.trim().replace(',', '.');
  return /^-?\d{1,13}(\.\d{1,2})?$/.test(v) ? v : undefined;
}

/** A whole number in [min, max]; undefined when it is not one. */
export function parseInteger(value: string, min: number, max: number): number | undefined {
  const v = value.trim();
  if (!/^-?\d{1,10}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
}
