/**
 * The Node flags every server process runs with (src/cluster.ts forks its workers with them; the import bench
 * starts its server with them).
 *
 * `--max-old-space-size`: V8 lets the old space grow to a multiple of what survived the last full collection
 * before it collects again, and the multiple depends on the heap's maximum: 4x when the maximum is V8's default
 * (a quarter of the machine's memory, up to 4 GB; on Node 20 x64 anything from 2 GB), less below it (~1.6x at
 * 1 GB; V8's heap-controller.cc, MaxGrowingFactor). A long import promotes each batch's rows, statements and
 * results to the old space, so the server's heap climbed to ~4 x 60 MB without one full collection and the
 * process peaked at 410-430 MB for 30,000 rows (docs/performance.md, "Import memory"). 1 GB is ample for
 * the server: a 64 MB JSON import, the largest file read whole, peaks at ~420 MB of heap under it.
 */
export const SERVER_HEAP_MB = 1024;

/** A heap-size flag the operator gave already (command line or NODE_OPTIONS) wins over ours. */
const HEAP_FLAG = /^--max[-_](old[-_]space|heap)[-_]size(=|$)/;

export function serverNodeFlags(
  execArgv: string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => HEAP_FLAG.test(a));
  return given ? [] : [`--max-old-space-size=${SERVER_HEAP_MB}`];
}

/**
 * Environment for every server process. `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (libuv's
 * pool reading files and inflating zips, V8's compiler and GC threads) its own malloc arena, up to 8 per core, and
 * memory freed in an arena stays with it; two arenas took 23-30 MB off the server's peak during a 100,000-row
 * import (docs/performance.md, "Import memory"), as Heroku and others set it for long-running servers. Read by
 * glibc when a process starts, so it is given to the workers, not to the process that reads it; musl ignores it.
 * A value the operator set wins.
 */
export function serverEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.MALLOC_ARENA_MAX ? {} : { MALLOC_ARENA_MAX: '2' };
}
