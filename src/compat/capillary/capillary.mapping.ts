import { fieldError } from '../../http/errors.js';
import { renderClientTime } from '../shared/time.js';
import type { SeedStatus } from './capillary.schema.js';

/**
 * Vocabulary translation between this API and the core. Pure functions: no I/O, no rules beyond naming.
 */

export interface CoreStatusInfo {
  key: string;
  category: string;
  is_default: boolean;
  position: number;
}

/** Which core status key a seed status writes to, preferred first; then any live status of the category. */
const WRITE_TARGET: Record<SeedStatus, { keys: string[]; category: string }> = {
  OPEN: { keys: [], category: 'open' },
  WON: { keys: ['won'], category: 'won' },
  LOST: { keys: ['lost'], category: 'lost' },
  ON_HOLD: { keys: ['on_hold'], category: 'on_hold' },
  DELETED: { keys: ['deleted'], category: 'closed' },
};

/**
 * The seed status a core status reads as. Every core status reads as one of the five: open -> OPEN,
 * on_hold -> ON_HOLD, won and converted -> WON, lost -> LOST; closed statuses read as DELETED when their key
 * is "deleted" and LOST otherwise (duplicate, invalid, closed: the lead is out of the funnel without a sale).
 */
export function seedStatusOf(key: string, category: string): SeedStatus {
  if (key === 'deleted') return 'DELETED';
  switch (category) {
    case 'open':
      return 'OPEN';
    case 'on_hold':
      return 'ON_HOLD';
    case 'won':
    case 'converted':
      return 'WON';
    default:
      return 'LOST';
  }
}

/**
 * The core status a seed status writes to: OPEN -> the organization's default status when it is an open one
 * (else the first open status), the others -> the status with the well-known key (won, lost, on_hold, deleted)
 * and, if the organization removed it, the first status of the same category in pipeline order.
 */
export function coreKeyFor(seed: SeedStatus, statuses: CoreStatusInfo[], field = 'status'): string {
  const t = WRITE_TARGET[seed];
  const ordered = [...statuses].sort((a, b) => a.position - b.position);
  if (seed === 'OPEN') {
    const def = ordered.find((s) => s.is_default && s.category === 'open');
    if (def) return def.key;
  }
  for (const k of t.keys) if (ordered.some((s) => s.key === k)) return k;
  const byCategory = ordered.find(
    (s) => s.category === t.category && seedStatusOf(s.key, s.category) === seed,
  );
  if (byCategory) return byCategory.key;
  throw fieldError(
    field,
    `the organization has no status that ${seed} can map to (add one of category ${t.category} in /api/v1/statuses)`,
  );
}

/** Every core status key that reads as `seed` (for the search filter: it finds what it renders). */
export function coreKeysReadingAs(seed: SeedStatus, statuses: CoreStatusInfo[]): string[] {
  return statuses.filter((s) => seedStatusOf(s.key, s.category) === seed).map((s) => s.key);
}

/** An instant at the offset the client wrote it with (whole seconds, `...+05:30` or `...Z`). */
export function wireTime(iso: string | null | undefined, offset: string = 'Z'): string | undefined {
  return renderClientTime(iso, offset);
}

/**
 * The staff id a record shows: the client's own id when one was sent, else -1 (the document's "system"
 * value). Leadflow's own user ids are never shown as the client's staff ids: they are not ids of its system.
 */
export function staffId(ref: unknown): number {
  return typeof ref === 'number' ? ref : -1;
}

/** The channel names the document lists; only -1 (INSTORE) has a documented id. */
export function sourceNameOf(orgSourceId: number): string | null {
  return orgSourceId === -1 ? 'INSTORE' : null;
}
