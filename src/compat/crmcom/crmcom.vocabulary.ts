import type { AuthContext } from '../../access/roles.js';
import type { FieldFaults } from '../shared/fields.js';
import type { CrmcomDeps } from './crmcom.deps.js';
import type { IdentifierT } from './crmcom.schema.js';

/** One record as this API names it: by id, name or alternative code. */
export interface Named {
  id: string | number;
  name: string;
  alternative_code: string | null;
}
export interface StatusNamed extends Named {
  key: string;
  life_cycle_state: string;
  category: string;
}
export interface UserNamed extends Named {
  username: string;
}
type Kinds = {
  types: Named & { core: Awaited<ReturnType<CrmcomDeps['catalogs']['listLeadTypes']>>[number] };
  categories: Named;
  sources: Named;
  privacy_levels: Named;
  importance_levels: Named;
  priorities: Named;
  statuses: StatusNamed;
  reasons: Named & { categories: string[] | null };
  groups: Named;
  users: UserNamed;
};
export type Kind = keyof Kinds;

/** What each kind's identifier may use, and how it is named in messages. */
const KEYS: Record<Kind, { keys: Array<keyof IdentifierT>; label: string; list: string }> = {
  types: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'lead type',
    list: 'leads/configuration/types/list',
  },
  categories: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'lead category',
    list: 'leads/configuration/categories/list',
  },
  sources: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'lead source',
    list: 'leads/configuration/sources/list',
  },
  privacy_levels: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'privacy level',
    list: 'leads/configuration/privacy_levels/list',
  },
  importance_levels: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'importance',
    list: 'leads/configuration/importance_levels/list',
  },
  priorities: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'priority',
    list: 'leads/configuration/priorities/list',
  },
  statuses: {
    keys: ['id', 'name', 'alternative_code'],
    label: 'lead status',
    list: 'leads/configuration/statuses/list',
  },
  reasons: { keys: ['id', 'name'], label: 'lost reason', list: 'leads/configuration/lost_reasons/list' },
  groups: { keys: ['id', 'name'], label: 'group', list: 'leads/configuration/groups/list' },
  users: { keys: ['id', 'username', 'name'], label: 'user', list: '/api/v1/users' },
};

/**
 * The organization's catalogs as this API names them, read once per request and only the kinds it uses (one
 * core call each). Every identifier of a request is resolved against these, collecting faults.
 */
export function vocabulary(deps: CrmcomDeps, auth: AuthContext) {
  const cache = new Map<Kind, Promise<unknown[]>>();
  const load: { [K in Kind]: () => Promise<Kinds[K][]> } = {
    types: async () =>
      (await deps.catalogs.listLeadTypes(auth)).map((t) => ({
        id: t.id,
        name: t.name,
        alternative_code: t.alternative_code,
        core: t,
      })),
    categories: () => deps.catalogs.listEntries(auth, 'categories'),
    sources: () => deps.catalogs.listEntries(auth, 'sources'),
    privacy_levels: () => deps.catalogs.listEntries(auth, 'privacy_levels'),
    importance_levels: () => deps.catalogs.listEntries(auth, 'importance_levels'),
    priorities: () => deps.catalogs.listEntries(auth, 'priorities'),
    statuses: async () =>
      (await deps.statuses.listStatuses(auth)).map((s) => ({
        id: s.key,
        key: s.key,
        name: s.label,
        alternative_code: s.key,
        life_cycle_state: s.lifecycle,
        category: s.category,
      })),
    reasons: async () =>
      (await deps.reasons.listReasons(auth)).map((r) => ({
        id: r.id,
        name: r.text,
        alternative_code: null,
        categories: r.categories,
      })),
    groups: async () =>
      (await deps.teams.list(auth)).data.map((t) => ({ id: t.id, name: t.name, alternative_code: null })),
    users: async () =>
      (await deps.users.list(auth)).data
        .filter((u) => u.active)
        .map((u) => ({ id: u.id, name: u.name, username: u.email, alternative_code: null })),
  };
  function all<K extends Kind>(kind: K): Promise<Kinds[K][]> {
    if (!cache.has(kind)) cache.set(kind, load[kind]());
    return cache.get(kind) as Promise<Kinds[K][]>;
  }
  return {
    all,
    /** The record with this core id (for rendering), if any. */
    async byId<K extends Kind>(
      kind: K,
      id: string | number | null | undefined,
    ): Promise<Kinds[K] | undefined> {
      if (id === null || id === undefined) return undefined;
      return (await all(kind)).find((r) => String(r.id) === String(id));
    },
    /** Resolves a one-key identifier; a fault at `field` when it names nothing (or uses a key this kind lacks). */
    async resolve<K extends Kind>(
      kind: K,
      ident: IdentifierT | null | undefined,
      faults: FieldFaults,
      field: string,
    ): Promise<Kinds[K] | undefined> {
      if (!ident) return undefined;
      const spec = KEYS[kind];
      const [key, raw] = Object.entries(ident)[0] as [keyof IdentifierT, string | number];
      if (!spec.keys.includes(key)) {
        faults.add(field, `a ${spec.label} is identified by ${spec.keys.join(', ')} (not ${key})`);
        return undefined;
      }
      const value = String(raw).trim();
      const rows = await all(kind);
      const found = rows.find((r) => {
        if (key === 'id') return String(r.id) === value;
        if (key === 'alternative_code')
          return r.alternative_code !== null && r.alternative_code.toLowerCase() === value.toLowerCase();
        if (key === 'username') return (r as UserNamed).username?.toLowerCase() === value.toLowerCase();
        return r.name.toLowerCase() === value.toLowerCase();
      });
      if (!found) faults.add(field, `no ${spec.label} has ${key} "${value}" (see ${spec.list})`);
      return found;
    },
  };
}
export type Vocabulary = ReturnType<typeof vocabulary>;

/** A GET parameter `field=value` (`number=19`) as an identifier object; undefined when malformed. */
export function parseGetIdentifier(v: string): IdentifierT | undefined {
  const i = v.indexOf('=');
  if (i <= 0) return /^\d+$/.test(v) ? { id: v } : undefined;
  const key = v.slice(0, i).trim();
  if (!['id', 'name', 'alternative_code', 'number', 'username', 'code'].includes(key)) return undefined;
  return { [key]: v.slice(i + 1) } as IdentifierT;
}
