import { assertCan, type AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';
import type { CapillaryDeps } from './capillary.deps.js';
import { coreKeyFor, seedStatusOf } from './capillary.mapping.js';
import type { SeedStatus } from './capillary.schema.js';

/** Reasons and sub-statuses: the core's catalogs, in this API's words. */

export async function getReasons(deps: CapillaryDeps, auth: AuthContext) {
  const reasons = await deps.reasons.listReasons(auth);
  // A reason's id here is its number within the organization: the document's ids 1, 2, 3 work in any one.
  return { data: reasons.map((r) => ({ id: r.number, reason: r.text })), warnings: [], errors: [] };
}

/**
 * Adds reasons (for any status). A reason whose text is already in the catalog is not added twice: its
 * existing id is returned and a warning says so, so a client can run its setup again safely.
 */
export async function addReasons(deps: CapillaryDeps, auth: AuthContext, items: Array<{ reason: string }>) {
  assertCan(auth, 'settings:write');
  const texts = items.map((i) => i.reason.trim());
  const blank = texts.findIndex((t) => t === '');
  if (blank !== -1)
    throw new AppError('unprocessable', `[${blank}].reason must not be blank`, [
      { field: `[${blank}].reason`, message: 'must not be blank' },
    ]);
  const dup = texts.findIndex((t, i) => texts.indexOf(t) !== i);
  if (dup !== -1)
    throw new AppError('unprocessable', `[${dup}].reason is listed twice`, [
      { field: `[${dup}].reason`, message: 'is listed twice' },
    ]);
  const existing = new Map((await deps.reasons.listReasons(auth)).map((r) => [r.text, r.number]));
  const created = await deps.reasons.createReasons(
    auth,
    texts.filter((t) => !existing.has(t)).map((text) => ({ text })),
  );
  const ids = new Map([...existing, ...created.map((r) => [r.text, r.number] as const)]);
  const warnings = texts
    .filter((t) => existing.has(t))
    .map((t) => ({
      code: 3003,
      message: `reason "${t}" already exists with id ${existing.get(t)}; it was not added again`,
    }));
  return { data: texts.map((t) => ({ id: ids.get(t)!, reason: t })), warnings, errors: [] };
}

export async function getSubStatuses(deps: CapillaryDeps, auth: AuthContext) {
  const [statuses, subs] = await Promise.all([
    deps.statuses.listStatusWords(auth),
    deps.statuses.listSubStatuses(auth),
  ]);
  const categoryOf = new Map(statuses.map((s) => [s.key, s.category]));
  return {
    data: subs.map((s) => ({
      status: seedStatusOf(s.status, categoryOf.get(s.status) ?? 'open'),
      subStatus: s.name,
    })),
    warnings: [],
    errors: [],
  };
}

/** Adds a sub-status to the core status the seed status maps to; an existing one is returned with a warning. */
export async function addSubStatus(
  deps: CapillaryDeps,
  auth: AuthContext,
  input: { status: SeedStatus; subStatus: string },
) {
  assertCan(auth, 'settings:write');
  const name = input.subStatus.trim();
  if (name === '')
    throw new AppError('unprocessable', 'subStatus must not be blank', [
      { field: 'subStatus', message: 'must not be blank' },
    ]);
  const key = coreKeyFor(input.status, await deps.statuses.listStatusWords(auth));
  const { created } = await deps.statuses.addSubStatus(auth, key, { name });
  const warnings = !created
    ? [{ code: 3002, message: `sub-status "${name}" already exists for ${input.status}` }]
    : [];
  return { status: input.status, subStatus: name, warnings };
}
