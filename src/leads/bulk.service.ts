import type { Kysely } from 'kysely';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Database } from '../db/schema.js';
import { inTransaction } from '../db/unit-of-work.js';
import { AppError, fieldError } from '../http/errors.js';
import type { LeadRepository } from './lead.repository.js';
import type { LeadService } from './lead.service.js';
import type { LeadPatchInput } from './lead.schema.js';

/** Most leads one bulk request changes, in one transaction (docs/api.md, "Bulk actions"). */
export const BULK_MAX = 10_000;

export type BulkAction =
  'status' | 'owner' | 'team' | 'add_tags' | 'remove_tags' | 'custom_field' | 'delete' | 'restore';

export interface BulkInput {
  ids?: number[];
  filter?: Record<string, unknown>;
  action: BulkAction;
  status?: string;
  sub_status?: string;
  reason_id?: number;
  owner_id?: number | null;
  team_id?: number | null;
  tags?: string[];
  field?: string;
  value?: string | number | boolean | null;
}

export interface BulkRefusal {
  id: number;
  code: 'not_found' | 'reason_required';
  field?: string;
  message: string;
}

export function createBulkService(deps: {
  db: Kysely<Database>;
  leads: LeadRepository;
  service: LeadService;
}) {
  const { db, leads, service } = deps;

  /** The leads the request names that the caller may see, in id order; the others are refused. */
  async function resolve(auth: AuthContext, input: BulkInput) {
    const deleted = input.action === 'restore';
    const base = input.filter ?? {};
    const { filter } = await service.filterFor(auth, {
      ...(input.ids ? {} : base),
      include_converted: input.ids ? true : (base.include_converted as boolean | undefined),
      deleted,
    } as never);
    let q = leads.scope(db.selectFrom('leads').select('leads.id'), auth.orgId, filter);
    if (input.ids) q = q.where('leads.id', 'in', input.ids.length ? input.ids : [-1]);
    const found = (
      await q
        .orderBy('leads.id')
        .limit(BULK_MAX + 1)
        .execute()
    ).map((r) => r.id);
    if (found.length > BULK_MAX)
      throw new AppError(
        'payload_too_large',
        `A bulk action changes at most ${BULK_MAX} leads; narrow the filter.`,
      );
    const seen = new Set(found);
    const refused: BulkRefusal[] = (input.ids ?? [])
      .filter((id, i, a) => !seen.has(id) && a.indexOf(id) === i)
      .map((id) => ({ id, code: 'not_found', message: 'No such lead, or not one you can see' }));
    return { ids: found, refused };
  }

  return {
    async run(auth: AuthContext, input: BulkInput) {
      assertCan(
        auth,
        input.action === 'delete' || input.action === 'restore' ? 'leads:delete' : 'leads:write',
      );
      if (!input.ids === !input.filter) throw fieldError('ids', 'give either ids or filter');
      const need = (field: keyof BulkInput) => {
        if (input[field] === undefined) throw fieldError(field, `is required for action "${input.action}"`);
      };
      if (input.action === 'status') need('status');
      if (input.action === 'owner') need('owner_id');
      if (input.action === 'team') need('team_id');
      if (input.action === 'add_tags' || input.action === 'remove_tags') need('tags');
      if (input.action === 'custom_field') need('field');

      const { ids, refused } = await resolve(auth, input);
      let todo = ids;
      if (input.action === 'status') {
        const status = (await service.statusMap(auth.orgId)).byKey.get(input.status!);
        if (!status) throw fieldError('status', `unknown status "${input.status}"`);
        if (status.reason_required && input.reason_id === undefined) {
          refused.push(
            ...ids.map((id) => ({
              id,
              code: 'reason_required' as const,
              field: 'reason_id',
              message: `moving to "${status.key}" needs a reason_id`,
            })),
          );
          todo = [];
        }
      }
      // Everything accepted is changed in one transaction, through the same service calls as one lead at a
      // time: a failure on any lead rolls all of them back.
      if (todo.length)
        await inTransaction(db, {}, async (tx) => {
          const tags =
            input.action === 'add_tags' || input.action === 'remove_tags'
              ? await leads.tagsFor(auth.orgId, todo, tx)
              : undefined;
          for (const id of todo) {
            if (input.action === 'delete') {
              await service.remove(auth, id, undefined, { tx });
              continue;
            }
            if (input.action === 'restore') {
              await service.restore(auth, id, { tx });
              continue;
            }
            let patch: LeadPatchInput;
            if (input.action === 'status')
              patch = { status: input.status, sub_status: input.sub_status, reason_id: input.reason_id };
            else if (input.action === 'owner') patch = { owner_id: input.owner_id };
            else if (input.action === 'team') patch = { team_id: input.team_id };
            else if (input.action === 'custom_field')
              patch = { custom_fields: { [input.field!]: input.value ?? null } } as LeadPatchInput;
            else {
              const now = tags!.get(id) ?? [];
              patch = {
                tags:
                  input.action === 'add_tags'
                    ? [...now, ...input.tags!]
                    : now.filter((t) => !input.tags!.includes(t)),
              };
            }
            try {
              await service.update(auth, id, patch, undefined, { tx });
            } catch (e) {
              // Name the lead in the answer; the transaction rolls back as the error leaves it.
              if (e instanceof AppError) e.message = `Lead ${id}: ${e.message}`;
              throw e;
            }
          }
        });
      return { matched: ids.length, changed: todo.length, refused };
    },
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
