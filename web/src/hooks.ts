import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import { staleTimeFor } from './query';
import type { CustomField, Reason, Status, User } from './types';

export interface Loaded<T> {
  data?: T;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs a path through the shared query cache: a screen shows the cached answer at once and refetches behind it;
 * catalogs (statuses, users, ...) are fetched once and refetched only after a write to them (query.ts).
 */
export function useApi<T>(path: string | null): Loaded<T> {
  const q = useQuery({
    queryKey: ['api', path],
    queryFn: ({ signal }) => api.get<T>(path!, signal),
    enabled: !!path,
    staleTime: path ? staleTimeFor(path) : 0,
  });
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  return { data: q.data, error: q.error, loading: !!path && q.isFetching && q.data === undefined, reload };
}

export function useStatuses() {
  const r = useApi<{ data: Status[] }>('/statuses');
  // Memoized: screens key their effects on the list, so it must only change when the data does.
  const list = useMemo(
    () => (r.data?.data ?? []).slice().sort((a, b) => (a.position ?? 0) - (b.position ?? 0)),
    [r.data],
  );
  return { ...r, list };
}

export function useReasons() {
  const r = useApi<{ data: Reason[] }>('/reasons');
  const list = useMemo(() => r.data?.data ?? [], [r.data]);
  return { ...r, list };
}

export function useCustomFields() {
  const r = useApi<{ data: CustomField[] }>('/custom-fields');
  const list = useMemo(() => r.data?.data ?? [], [r.data]);
  return { ...r, list };
}

export function useUsers() {
  const r = useApi<{ data: User[] }>('/users');
  const list = useMemo(() => r.data?.data ?? [], [r.data]);
  return { ...r, list };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** State persisted in localStorage (column choices, saved views: preferences of this browser). */
export function useStored<T>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (nv: T) => {
      setV(nv);
      localStorage.setItem(key, JSON.stringify(nv));
    },
    [key],
  );
  return [v, set];
}

export function useInterval(fn: () => void, ms: number | null) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

export const leadName = (l: {
  first_name: string | null;
  last_name: string | null;
  company_name?: string | null;
  email?: string | null;
  id: number;
}) => [l.first_name, l.last_name].filter(Boolean).join(' ') || l.company_name || l.email || `Lead #${l.id}`;

export function formatMoney(v: string | number | null | undefined, currency?: string | null): string {
  if (v === null || v === undefined || v === '') return '';
  const n = typeof v === 'number' ? v : Number(v);
  try {
    return new Intl.NumberFormat(undefined, {
      style: currency ? 'currency' : 'decimal',
      currency: currency ?? undefined,
      maximumFractionDigits: 0,
    }).format(n);
  } catch {
    return String(v);
  }
}

export const formatDate = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString() : '');
export const formatDateTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
