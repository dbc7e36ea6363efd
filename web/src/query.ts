import { QueryClient, type Query } from '@tanstack/react-query';

/** The one query cache of the app (TanStack Query). */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Screens show what the cache holds at once and refetch behind it; catalogs override this (below).
      staleTime: 0,
      retry: (count, e) => {
        const status = (e as { status?: number }).status ?? 0;
        return count < 1 && !(status >= 400 && status < 500);
      },
      refetchOnWindowFocus: false,
    },
  },
});

/** Paths whose answers change only when someone edits them: fetched once, refetched after a write. */
const CATALOGS = new Set([
  'statuses',
  'reasons',
  'custom-fields',
  'users',
  'teams',
  'lead-types',
  'lead-categories',
  'lead-sources',
  'privacy-levels',
  'importance-levels',
  'priorities',
  'product-categories',
  'projects',
]);
const segment = (path: string) => path.replace(/^\/api\/v1/, '').split(/[/?]/)[1] ?? '';

// Statuses carry their live lead counts (changed by lead writes and by imports running on the server), so they are
// refetched whenever a screen mounts, like any other answer.
export const staleTimeFor = (path: string) =>
  CATALOGS.has(segment(path)) && segment(path) !== 'statuses' ? Infinity : 0;

// Lead writes change what every lead-derived screen shows.
const LEAD_DERIVED = [
  'leads',
  'follow-ups',
  'tasks',
  'reports',
  'statuses',
  'companies',
  'contacts',
  'opportunities',
  'me',
];

/**
 * After a successful write, the cached answers it may have changed are marked stale (active ones refetch). A
 * DELETE leaves out the record it deleted (and its sub-resources): its screen may still be on the page for a moment
 * while the app moves to the list, and refetching it would only fetch a 404.
 */
export function afterWrite(path: string, method = 'POST') {
  const seg = segment(path);
  const touched = new Set([seg]);
  if (!CATALOGS.has(seg)) LEAD_DERIVED.forEach((s) => touched.add(s));
  if (seg === 'invitations') touched.add('users');
  const gone = method === 'DELETE' ? path.replace(/^\/api\/v1/, '').replace(/\?.*$/, '') : null;
  const isGone = (key: string) =>
    gone !== null && (key === gone || key.startsWith(`${gone}/`) || key.startsWith(`${gone}?`));
  const hit = (q: Query) =>
    q.queryKey[0] === 'api' &&
    touched.has(segment(String(q.queryKey[1]))) &&
    !isGone(String(q.queryKey[1]).replace(/^\/api\/v1/, ''));
  // A read still on its way may have been answered before this write. TanStack Query starts a new fetch on
  // invalidation only for a query that already holds data; one with no data yet keeps (and shows) the answer of the
  // read in flight. A list opened while a delete was on its way then showed the deleted record until the next visit.
  // Those reads are cancelled quietly: the refetch below starts a new one, and the screen gets its answer.
  for (const q of queryClient.getQueryCache().findAll({ predicate: hit, fetchStatus: 'fetching' }))
    if (q.state.data === undefined && q.isActive()) void q.cancel({ silent: true });
  void queryClient.invalidateQueries({ predicate: hit });
}
