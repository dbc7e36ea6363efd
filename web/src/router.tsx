import { useMemo, type AnchorHTMLAttributes } from 'react';
import {
  createBrowserRouter,
  Link as RouterLink,
  matchPath,
  useLocation as useRouterLocation,
} from 'react-router';

// React Router (data router): Back restores a screen's URL, with the list filters, sort and search it keeps in
// its query string. These helpers keep the call sites short.
let router: ReturnType<typeof createBrowserRouter> | null = null;

export function setRouter(r: ReturnType<typeof createBrowserRouter>) {
  router = r;
}

export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  void router?.navigate(to, { replace });
  if (!replace) window.scrollTo(0, 0);
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const l = useRouterLocation();
  return useMemo(() => ({ path: l.pathname, query: new URLSearchParams(l.search) }), [l.pathname, l.search]);
}

/** Matches "/leads/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const m = matchPath({ path: pattern, end: true }, path.replace(/\/+$/, '') || '/');
  return m ? (m.params as Record<string, string>) : null;
}

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <RouterLink to={to} {...rest} />;
}
