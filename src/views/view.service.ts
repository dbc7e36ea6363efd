import type { Kysely } from 'kysely';
import { assertCan, can, type AuthContext } from '../access/roles.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import type { SavedViewRow, SavedViewValues, ViewRepository } from './view.repository.js';
import {
  CF_FILTER_RE,
  toViewResponse,
  VIEW_FILTER_KEYS,
  type ViewCreateInput,
  type ViewPatchInput,
} from './view.schema.js';

/**
 * Saved list views. A view is private to the user who saved it, or shared with the whole organization or one
 * team. Whoever can see a view may use it; its owner changes or deletes it, and so does anyone who manages
 * users (owner, admin, manager) when it is shared. A view the caller cannot see is a 404.
 */
export function createViewService(deps: { db: Kysely<Database>; views: ViewRepository }) {
  const { db, views } = deps;
  const mayEdit = (auth: AuthContext, row: SavedViewRow) =>
    row.owner_id === auth.userId || (row.visibility !== 'private' && can(auth, 'users:manage'));
  const out = (auth: AuthContext, row: SavedViewRow) => toViewResponse(row, auth.userId, mayEdit(auth, row));

  function person(auth: AuthContext): number {
    if (auth.userId === null)
      throw new AppError('forbidden', 'A saved view belongs to a person, not an API key');
    return auth.userId;
  }

  function checkFilters(filters: object | undefined, faults: FieldError[]) {
    for (const key of Object.keys(filters ?? {}))
      if (!VIEW_FILTER_KEYS.has(key) && !CF_FILTER_RE.test(key))
        faults.push({ field: `filters.${key}`, message: 'is not a filter of GET /leads' });
  }

  /** The sharing a view ends up with, checked: a team view names a team the caller belongs to (or manages). */
  async function checkSharing(
    auth: AuthContext,
    visibility: string,
    teamId: number | null,
    faults: FieldError[],
    opts: TxOptions,
  ) {
    if (visibility !== 'team') {
      if (teamId !== null) faults.push({ field: 'team_id', message: 'is only for visibility "team"' });
      return;
    }
    if (teamId === null) {
      faults.push({ field: 'team_id', message: 'is required for visibility "team"' });
      return;
    }
    const ok = can(auth, 'users:manage')
      ? await views.teamExists(auth.orgId, teamId, opts)
      : await views.isTeamMember(auth.orgId, teamId, person(auth), opts);
    if (!ok) faults.push({ field: 'team_id', message: 'no such team among yours' });
  }

  async function find(auth: AuthContext, id: number, opts: TxOptions = {}) {
    const row = await views.findVisible(auth.orgId, auth.userId, id, opts);
    if (!row) throw notFound('view', id);
    return row;
  }

  return {
    async list(auth: AuthContext) {
      assertCan(auth, 'leads:read');
      return { data: (await views.listVisible(auth.orgId, auth.userId)).map((r) => out(auth, r)) };
    },

    async get(auth: AuthContext, id: number) {
      assertCan(auth, 'leads:read');
      return out(auth, await find(auth, id));
    },

    async create(auth: AuthContext, input: ViewCreateInput, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      const owner = person(auth);
      return inTransaction(db, opts, async (tx) => {
        const faults: FieldError[] = [];
        const values: SavedViewValues = {
          name: input.name.trim(),
          filters: JSON.stringify(input.filters ?? {}),
          sort: input.sort ?? null,
          columns: JSON.stringify(input.columns ?? []),
          visibility: input.visibility ?? 'private',
          team_id: input.team_id ?? null,
        };
        if (!values.name) faults.push({ field: 'name', message: 'must not be blank' });
        checkFilters(input.filters, faults);
        await checkSharing(auth, values.visibility, values.team_id, faults, { tx });
        if (faults.length) throw new AppError('unprocessable', 'The view is not valid', faults);
        return out(auth, await views.insert(tx, auth.orgId, owner, values, nowIso()));
      });
    },

    async update(auth: AuthContext, id: number, input: ViewPatchInput, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      return inTransaction(db, opts, async (tx) => {
        const row = await find(auth, id, { tx });
        if (!mayEdit(auth, row))
          throw new AppError('forbidden', 'Only its owner or a manager changes this view');
        const faults: FieldError[] = [];
        const patch: Partial<SavedViewValues> = {};
        if (input.name !== undefined) {
          patch.name = input.name.trim();
          if (!patch.name) faults.push({ field: 'name', message: 'must not be blank' });
        }
        if (input.filters !== undefined) {
          checkFilters(input.filters, faults);
          patch.filters = JSON.stringify(input.filters);
        }
        if (input.sort !== undefined) patch.sort = input.sort;
        if (input.columns !== undefined) patch.columns = JSON.stringify(input.columns);
        if (input.visibility !== undefined || input.team_id !== undefined) {
          const visibility = input.visibility ?? row.visibility;
          // Moving off "team" drops the team unless one is given.
          const teamId =
            input.team_id !== undefined ? input.team_id : visibility === 'team' ? row.team_id : null;
          await checkSharing(auth, visibility, teamId, faults, { tx });
          patch.visibility = visibility;
          patch.team_id = teamId;
        }
        if (faults.length) throw new AppError('unprocessable', 'The view is not valid', faults);
        return out(auth, await views.update(tx, auth.orgId, id, patch, nowIso()));
      });
    },

    async remove(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      await inTransaction(db, opts, async (tx) => {
        const row = await find(auth, id, { tx });
        if (!mayEdit(auth, row))
          throw new AppError('forbidden', 'Only its owner or a manager deletes this view');
        await views.remove(tx, auth.orgId, id);
      });
    },
  };
}

export type ViewService = ReturnType<typeof createViewService>;
