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

/**
 * A stand-in for one bound value of a shaped query: its place among the call's values. A builder that computes with
 * it (arithmetic, comparison, a template string) gets an error instead of a wrong statement, and the shape is not
 * cached.
 */
class Bound {
  constructor(readonly i: number) {}
  [Symbol.toPrimitive](): never {
    throw new StandInUsed();
  }
}
class StandInUsed extends Error {}

/** What a shaped query's `standIn` says about each part of its input (see `precompiledShapes`). */
export interface Shaper {
  /** A value the builder branches on or writes into the SQL text: it is part of the key and passed as is. */
  keyed<T>(v: T): T;
  /**
   * A value the builder only binds as a parameter: a stand-in when truthy; a falsy one ('', 0, null, undefined) is
   * keyed and passed as is, since a builder may test `if (v)` or `v !== undefined`.
   */
  bound<T extends number | string | null | undefined>(v: T): T;
  /** An array whose elements the builder only binds: its length is keyed, each element a stand-in. */
  list<T extends number | string>(v: readonly T[] | undefined): T[] | undefined;
}

/**
 * A query built from a structured input (the lead list's filter and page), compiled by Kysely once per shape:
 * `standIn` walks the input in a fixed order and says, through the `Shaper`, which parts shape the SQL (keyed)
 * and which are only bound; the builder is called once per key with stand-ins for the bound values, and later
 * calls bind their own values into that compiled query. The SQL text and parameters are Kysely's own, as
 * `precompiled` above. `standIn` returns undefined for an input it does not describe (the caller builds the query
 * as before). A shape whose builder computes with a stand-in, or whose stand-ins do not all come back as
 * parameters (a value dropped), is never cached: that key keeps calling the builder.
 */
export function precompiledShapes<I, R>(
  build: (q: Kysely<Database>, input: I) => Compilable<R>,
  standIn: (input: I, s: Shaper) => I | undefined,
  maxShapes = 256,
) {
  const shapes = new Map<string, { query: CompiledQuery<R>; params: unknown[] } | null>();
  /** The compiled query for `input`, or undefined when `standIn` does not describe it. */
  function compile(q: Kysely<Database>, input: I): CompiledQuery<R> | undefined {
    const key: string[] = [];
    const values: unknown[] = [];
    const slot = (v: unknown) => new Bound(values.push(v) - 1);
    const keyOf = (v: unknown) => (v === undefined ? 'u' : JSON.stringify(v));
    const shaper: Shaper = {
      keyed(v) {
        key.push(keyOf(v));
        return v;
      },
      bound(v) {
        if (!v) {
          key.push(keyOf(v));
          return v;
        }
        key.push('?');
        return slot(v) as unknown as typeof v;
      },
      list(v) {
        key.push(v ? `[${v.length}]` : 'u');
        return v?.map((x) => slot(x) as unknown as typeof x);
      },
    };
    const fake = standIn(input, shaper);
    if (fake === undefined) return undefined;
    const k = key.join('|');
    let shape = shapes.get(k);
    if (shape === undefined) {
      let query: CompiledQuery<R> | undefined;
      try {
        query = build(q, fake).compile();
      } catch (e) {
        if (!(e instanceof StandInUsed)) throw e;
      }
      const seen = new Set(query?.parameters.flatMap((p) => (p instanceof Bound ? [p.i] : [])));
      shape = query && seen.size === values.length ? { query, params: [...query.parameters] } : null;
      shapes.set(k, shape);
      if (shapes.size > maxShapes) shapes.delete(shapes.keys().next().value as string);
    } else {
      shapes.delete(k);
      shapes.set(k, shape);
    }
    if (shape === null) return build(q, input).compile();
    const parameters = shape.params.map((p) => (p instanceof Bound ? values[p.i] : p));
    return { ...shape.query, parameters };
  }
  return {
    compile,
    /** Runs `input`'s query, or returns undefined when `standIn` does not describe it. */
    async run(q: Kysely<Database>, input: I): Promise<R[] | undefined> {
      const query = compile(q, input);
      if (!query) return undefined;
      return (await q.executeQuery<R>(query)).rows;
    },
  };
}
