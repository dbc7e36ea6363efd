/**
 * A status's life-cycle state, beside its category (issue 14): seed 003's rules read it. The category says what a
 * status means for reports (open, won, ...); the life-cycle state says where the work stands.
 */
export const LIFECYCLES = ['PENDING', 'IN_PROGRESS', 'WON', 'LOST', 'CANCELLED', 'ON_HOLD'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** What a status gets when nobody chose: from its category (the default status of a new lead is PENDING). */
export function defaultLifecycle(category: string, isDefault = false): Lifecycle {
  switch (category) {
    case 'won':
    case 'converted':
      return 'WON';
    case 'lost':
      return 'LOST';
    case 'on_hold':
      return 'ON_HOLD';
    case 'closed':
      return 'CANCELLED';
    default:
      return isDefault ? 'PENDING' : 'IN_PROGRESS';
  }
}
