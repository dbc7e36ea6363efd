/**
 * Custom fields a surface owns for attributes of its document that the core has no column for (seed 002's
 * lead `type` and `orgSourceId`, seed 003's lead type...). Each surface declares them when the server starts,
 * in its own namespace: the value lives in the lead's `custom_fields` under `<surface>__<key>`, so two
 * surfaces' `lead_type` never collide, and no field definition is written on first use (a refused write
 * cannot leave one behind). They show in /api/v1 under that key; every surface hides every owned key from the
 * custom fields it shows as its own ("extendedFields", "udfs").
 */
/** `datetime`: an ISO 8601 instant kept as a string (the surface writes it in one form, so ranges compare). */
export type OwnedFieldType = 'string' | 'number' | 'boolean' | 'datetime';

export interface OwnedFieldSpec {
  key: string;
  type: OwnedFieldType;
  description?: string;
}

export interface OwnedFields {
  readonly namespace: string;
  /** The key stored in custom_fields (`capillary__lead_type`). */
  stored(key: string): string;
  /** The declared type of a key of this surface. */
  typeOf(key: string): OwnedFieldType;
  /** This surface's value of `key` on a lead's custom fields, when it has the declared type. */
  read<T extends string | number | boolean>(cf: Record<string, unknown>, key: string): T | undefined;
}

const SEP = '__';
const declared = new Map<string, Map<string, OwnedFieldSpec>>();

/** True for a key some surface owns (any namespace declared so far). */
export function isOwnedKey(key: string): boolean {
  const i = key.indexOf(SEP);
  return i > 0 && declared.get(key.slice(0, i))?.has(key.slice(i + SEP.length)) === true;
}

/** The declared type of an owned key (`activix__sale_date` -> `datetime`), for the core's list ranges. */
export function ownedFieldType(key: string): OwnedFieldType | undefined {
  const i = key.indexOf(SEP);
  return i > 0 ? declared.get(key.slice(0, i))?.get(key.slice(i + SEP.length))?.type : undefined;
}

/** Custom fields without any surface's owned keys: what a surface shows as the client's own fields. */
export function withoutOwned(cf: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cf).filter(([k]) => !isOwnedKey(k)));
}

export function declareOwnedFields(namespace: string, specs: OwnedFieldSpec[]): OwnedFields {
  if (!/^[a-z][a-z0-9]*$/.test(namespace)) throw new Error(`surface namespace "${namespace}": a-z0-9 only`);
  const map = new Map(specs.map((s) => [s.key, s]));
  const prev = declared.get(namespace);
  if (prev && [...map.keys()].some((k) => prev.has(k) && prev.get(k)!.type !== map.get(k)!.type))
    throw new Error(`surface namespace "${namespace}" declared twice with different field types`);
  declared.set(namespace, new Map([...(prev ?? []), ...map]));
  const spec = (key: string) => {
    const s = map.get(key);
    if (!s) throw new Error(`${namespace} does not own the field "${key}" (declare it)`);
    return s;
  };
  return {
    namespace,
    stored: (key) => `${namespace}${SEP}${spec(key).key}`,
    typeOf: (key) => spec(key).type,
    read<T extends string | number | boolean>(cf: Record<string, unknown>, key: string) {
      const v = cf[`${namespace}${SEP}${key}`];
      const t = spec(key).type;
      return typeof v === (t === 'datetime' ? 'string' : t) ? (v as T) : undefined;
    },
  };
}
