import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Where a value goes among a compiled insert's parameters: row `row`, column `column`. */
class Cell {
  constructor(
    readonly row: number,
    readonly column: string,
  ) {}
}

type Row = Record<string, unknown>;

/**
 * A hot INSERT built and compiled by Kysely once per shape, then sent with each call's values: the writes of a
 * lead create (the lead with its RETURNING list, its first status, tags, contact points, duplicate keys), which
 * run inside the write's transaction, so on SQLite every microsecond of building them is a microsecond the
 * write lock is held (docs/decisions.md, "The create path inside the write lock"). The read counterpart is
 * `precompiled` (src/db/precompiled.ts); this one is keyed by the rows' column names, since inserts name only
 * the columns they are given.
 *
 * `build` is called with rows of stand-ins (one per defined value), so it must build the same SQL whatever the
 * values are: it may only pass the rows to `.values(...)`. A column given as `undefined` is left out, as Kysely
 * leaves it out. The SQL text and parameters are Kysely's own. Shapes are kept per function (at most
 * `maxShapes`, least recently used dropped), so one precompiled insert serves one database (one dialect): make
 * it where the repository is made.
 */
export function precompiledInsert<T extends Row, R>(
  build: (q: Kysely<Database>, rows: T[]) => Compilable<R>,
  maxShapes = 64,
) {
  const shapes = new Map<string, { query: CompiledQuery<R>; params: unknown[] }>();
  return async function run(q: Kysely<Database>, rows: T[]): Promise<R[]> {
    const columns = rows.map((r) => Object.keys(r).filter((k) => r[k] !== undefined));
    const key = columns.map((c) => c.join(',')).join(';');
    let shape = shapes.get(key);
    if (shape) {
      shapes.delete(key);
      shapes.set(key, shape);
    } else {
      const stand = columns.map(
        (cols, i) => Object.fromEntries(cols.map((c) => [c, new Cell(i, c)])) as unknown as T,
      );
      const query = build(q, stand).compile();
      shape = { query, params: [...query.parameters] };
      if (shape.params.some((p) => !(p instanceof Cell)) || shape.params.length !== columns.flat().length)
        throw new Error('precompiledInsert: the query must bind exactly the rows given to it');
      shapes.set(key, shape);
      if (shapes.size > maxShapes) shapes.delete(shapes.keys().next().value as string);
    }
    const parameters = shape.params.map((p) => rows[(p as Cell).row][(p as Cell).column]);
    const { rows: out } = await q.executeQuery<R>({ ...shape.query, parameters });
    return out;
  };
}
