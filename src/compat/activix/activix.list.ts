import type { FastifyRequest } from 'fastify';
import type { FieldFaults } from '../shared/fields.js';
import type { SurfaceKit } from '../shared/surface.js';
import { storeTime } from './activix.view.js';

/** Lead list filters of this API -> the core list's query keys (the list contract of branch core-query). */
const TEXT = { name: 'name', email: 'email', phone: 'phone', postal_code: 'postal_code' } as const;
const INSTANTS = ['created_at', 'updated_at', 'sale_date'] as const;
const OPS = ['gt', 'gte', 'lt', 'lte'] as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `filter[name]=Jo%` (`%` is the wildcard, a comma means OR), `filter[created_at][gte]=2024-01-01`,
 * `filter[sale_date]=2024-05-01` (that day), `filter[division]=new,used`. Every fault is collected.
 */
export function coreFilters(
  kit: SurfaceKit,
  query: Record<string, unknown>,
  f: FieldFaults,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param, raw] of Object.entries(query)) {
    const m = /^filter\[([a-z_]+)\](?:\[([a-z]+)\])?$/.exec(param);
    if (!m) continue;
    const [, field, op] = m;
    const value = String(raw).trim();
    const name = `filter.${field}${op ? `.${op}` : ''}`;
    if (field in TEXT) {
      if (op) f.add(name, 'does not take a range');
      else out[TEXT[field as keyof typeof TEXT]] = value.replace(/%/g, '*');
      continue;
    }
    if (field === 'division') {
      if (op) f.add(name, 'does not take a range');
      else if (value.includes(',')) f.add(name, 'takes one division (new, used or service)');
      else out[`cf.${kit.fields.stored('division')}`] = value;
      continue;
    }
    if ((INSTANTS as readonly string[]).includes(field)) {
      const key = field === 'sale_date' ? `cf.${kit.fields.stored('sale_date')}` : field;
      if (op && !(OPS as readonly string[]).includes(op)) {
        f.add(name, 'is not a range (gt, gte, lt or lte)');
        continue;
      }
      // A date alone is that day (the core reads it in the organization's zone); a time is an instant.
      const bound = (v: string) => {
        if (DATE_ONLY.test(v)) return v;
        const t = f.time(name, v);
        return t ? storeTime(t.instant) : undefined;
      };
      const b = bound(value);
      if (b === undefined) continue;
      if (op) out[`${key}.${op}`] = b;
      else {
        out[`${key}.gte`] = b;
        out[`${key}.lte`] = b;
      }
      continue;
    }
    f.add(
      name,
      'is not a filter of this list (name, email, phone, postal_code, created_at, updated_at, sale_date, division)',
    );
  }
  return out;
}

/** Laravel's paginator: `links` and `meta` of one page. */
export function paginator(req: FastifyRequest, page: number, perPage: number, total: number, count: number) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const path = `${req.protocol}://${req.hostname}${req.url.split('?')[0]}`;
  const params = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  const link = (p: number) => {
    params.set('page', String(p));
    return `${path}?${params.toString()}`;
  };
  const from = count ? (page - 1) * perPage + 1 : null;
  return {
    links: {
      first: link(1),
      last: link(lastPage),
      prev: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
      next: page < lastPage ? link(page + 1) : null,
    },
    meta: {
      current_page: page,
      from,
      last_page: lastPage,
      path,
      per_page: perPage,
      to: from !== null ? from + count - 1 : null,
      total,
    },
  };
}
