import type { Core } from '../../wiring/core.js';

/**
 * The core services seed 000 translates onto: a subset of the Core object (src/wiring/core.ts), passed as
 * they are. Every write runs inside `transaction`, each call getting its `{ tx }`.
 */
export interface ActivixDeps {
  transaction: Core['unitOfWork'];
  leads: Pick<Core['leads'], 'create' | 'get' | 'update' | 'list'>;
  /** Emails and phones as rows (lead_contact_points). */
  points: Pick<Core['leadParts']['points'], 'emails' | 'phones' | 'findPoint'>;
  /** Vehicles and products (lead_items). */
  items: Pick<Core['leadParts']['items'], 'add' | 'update' | 'get' | 'findItem'>;
  tasks: Pick<
    Core['activities']['tasks'],
    'listTasks' | 'listAllTasks' | 'listComments' | 'addComment' | 'editComment'
  >;
  activities: Pick<Core['activities']['byId'], 'createTask' | 'getTask' | 'updateTask'>;
  users: Pick<Core['access']['users'], 'list'>;
  reasons: Pick<Core['pipeline']['reasons'], 'listReasons'>;
  statuses: Pick<Core['pipeline']['vocabulary'], 'listStatusWords'>;
  organization: Core['auth']['organization'];
  duplicates: Pick<Core['duplicates'], 'findDuplicate' | 'enabled'>;
  /** Requests a minute per credential (the document's 200). */
  rateLimitPerMinute: number;
  /** Where those counts live: the core's shared store (every worker and node counts against one limit). */
  counters: Core['counters'];
}
