import type { Kysely } from 'kysely';

/**
 * Organizations created before 0090_catalogs never got the default catalog entries that signup gives every new
 * organization since (src/catalogs/catalog.tables.ts DEFAULT_CATALOG_ENTRIES): the importance levels
 * IMPORTANCE1-5 and CUSTOM1-3 and the priorities 1-6. Add the missing ones (by kind and alternative code) to
 * those organizations only: one created later that removed an entry keeps it removed. The list is copied here,
 * as it was then, so that a later change of the defaults does not change what this migration did.
 */
const DEFAULTS: Array<{ kind: string; name: string; alternative_code: string }> = [
  ...[1, 2, 3, 4, 5].map((n) => ({
    kind: 'importance_levels',
    name: `Importance ${n}`,
    alternative_code: `IMPORTANCE${n}`,
  })),
  ...[1, 2, 3].map((n) => ({
    kind: 'importance_levels',
    name: `Custom ${n}`,
    alternative_code: `CUSTOM${n}`,
  })),
  ...[1, 2, 3, 4, 5, 6].map((n) => ({
    kind: 'priorities',
    name: `Priority ${n}`,
    alternative_code: String(n),
  })),
];

export async function up(db: Kysely<any>): Promise<void> {
  const ran = await db
    .selectFrom('kysely_migration')
    .select('timestamp')
    .where('name', '=', '0090_catalogs')
    .executeTakeFirst();
  if (!ran) return;
  const orgs = await db
    .selectFrom('organizations')
    .select('id')
    .where('created_at', '<', String(ran.timestamp))
    .orderBy('id')
    .execute();
  if (!orgs.length) return;
  const now = new Date().toISOString();
  for (let i = 0; i < orgs.length; i += 200) {
    const ids = orgs.slice(i, i + 200).map((o) => Number(o.id));
    const have = await db
      .selectFrom('catalog_entries')
      .select(['org_id', 'kind', 'alternative_code'])
      .where('org_id', 'in', ids)
      .where('kind', 'in', ['importance_levels', 'priorities'])
      .execute();
    const seen = new Set(have.map((h) => `${h.org_id}|${h.kind}|${h.alternative_code}`));
    const rows = ids.flatMap((orgId) =>
      DEFAULTS.flatMap((e, k) =>
        seen.has(`${orgId}|${e.kind}|${e.alternative_code}`)
          ? []
          : [{ org_id: orgId, ...e, position: (k + 1) * 10, created_at: now, updated_at: now }],
      ),
    );
    for (let j = 0; j < rows.length; j += 500)
      await db
        .insertInto('catalog_entries')
        .values(rows.slice(j, j + 500))
        .execute();
  }
}

/** The entries stay: leads may point at them by now. */
export async function down(): Promise<void> {}
