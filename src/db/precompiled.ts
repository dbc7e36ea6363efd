import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Where an argument's value goes among a compiled query's parameters: argument `arg`, element `index` (-1: itself). */
class Slot {
  constructor(
    readonly arg: number,
    readonly index: number,
  ) {}
}

type Arg = number | string | null | readonly (number | string)[];

/**
 * A hot read built and compiled by Kysely once per shape, then sent with each call's values (docs/decisions.md,
 * "Precompiled hot reads"). Building and compiling a query costs more CPU than SQLite takes to run these small
 * indexed reads (docs/performance.md, "HTTP per-request work"); the reads every lead response makes (the lead,
 * its tags, its parts) are built here once per number of ids instead of once per request.
 *
 * `build` is called with stand-ins for its arguments (an array argument: one stand-in per element), so it must
 * build the same SQL whatever the values are: only the lengths of array arguments may shape the query (they are
 * the cache key), and it must not branch on a value. Every value becomes a bound parameter, as Kysely compiles it;
 * the SQL text is Kysely's own. Shapes are kept per function (at most `maxShapes`, least recently used dropped),
 * so one precompiled read serves one database (one dialect): make it where the repository is made.
 */
export function precompiled<A extends Arg[], R>(
  build: (q: Kysely<Database>, ...args: A) => Compilable<R>,
  maxShapes = 64,
) {
  const shapes = new Map<string, { query: CompiledQuery<R>; params: unknown[] }>();
  return async function run(q: Kysely<Database>, ...args: A): Promise<R[]> {
    const key = args.map((a) => (Array.isArray(a) ? a.length : '')).join(',');
    let shape = shapes.get(key);
    if (shape) {
      shapes.delete(key);
      shapes.set(key, shape);
    } else {
      const stand = args.map((a, i) =>
        Array.isArray(a) ? a.map((_, j) => new Slot(i, j)) : new Slot(i, -1),
      ) as unknown as A;
      const query = build(q, ...stand).compile();
      shape = { query, params: [...query.parameters] };
      shapes.set(key, shape);
      if (shapes.size > maxShapes) shapes.delete(shapes.keys().next().value as string);
    }
    const parameters = shape.params.map((p) =>
      p instanceof Slot ? (p.index < 0 ? args[p.arg] : (args[p.arg] as readonly unknown[])[p.index]) : p,
    );
    const { rows } = await q.executeQuery<R>({ ...shape.query, parameters });
    return rows;
  };
}
