import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { LeadListQuery } from '../leads/lead.schema.js';

// The list's filters, without its paging.
const { sort: _s, limit: _l, cursor: _c, include_total: _t, ...listFilters } = LeadListQuery.properties;

const common = {
  ...listFilters,
  include_converted: Type.Optional(
    Type.Boolean({
      description: 'Reports count converted leads unless false (the list hides them by default)',
    }),
  ),
  from: Type.Optional(
    Type.String({ format: 'date-time', description: "Start of the report's date range (inclusive)" }),
  ),
  to: Type.Optional(
    Type.String({ format: 'date-time', description: "End of the report's date range (exclusive)" }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      description: 'csv: the rows as a CSV download',
    }),
  ),
};

function reportQuery<P extends TProperties>(extra: P) {
  return Type.Object(
    { ...common, ...extra },
    {
      additionalProperties: false,
      patternProperties: { '^cf\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string' } },
    },
  );
}

export const ReportQuery = reportQuery({});
export const CreatedQuery = reportQuery({
  period: Type.Optional(
    Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { default: 'day' }),
  ),
});
export const ConversionQuery = reportQuery({
  by: Type.Optional(Type.Union([Type.Literal('source'), Type.Literal('owner')], { default: 'source' })),
});
export type ReportQueryInput = Static<typeof ReportQuery> & {
  period?: 'day' | 'week' | 'month';
  by?: 'source' | 'owner';
} & Record<string, unknown>;

const Money = Type.String({ description: 'Decimal string, e.g. "1250.00"' });
const data = <T extends TSchema>(row: T, extra: TProperties = {}) =>
  Type.Object({ ...extra, data: Type.Array(row) });

const StatusCols = {
  status: Type.String(),
  label: Type.String(),
  category: Type.String(),
  position: Type.Integer(),
};

export const FunnelResponse = data(
  Type.Object({ ...StatusCols, count: Type.Integer(), share: Type.Number({ description: 'count / total' }) }),
  { total: Type.Integer() },
);
export const BoardResponse = data(
  Type.Object({
    ...StatusCols,
    count: Type.Integer(),
    value: Money,
    weighted_value: Type.String({ description: 'Sum of value x probability / 100, rounded to the cent' }),
  }),
  { total: Type.Integer(), value: Money, weighted_value: Money },
);
export const CreatedResponse = data(
  Type.Object({ period: Type.String(), source: Nullable(Type.String()), count: Type.Integer() }),
  { period: Type.String() },
);
export const ConversionResponse = data(
  Type.Object({
    source: Type.Optional(Nullable(Type.String())),
    owner_id: Type.Optional(Nullable(Type.Integer())),
    leads: Type.Integer(),
    converted: Type.Integer(),
    rate: Type.Number({ description: 'converted / leads, 0..1' }),
  }),
  { by: Type.String() },
);
export const WonResponse = data(Type.Object({ month: Type.String(), count: Type.Integer(), value: Money }));
export const TimeInStatusResponse = data(
  Type.Object({
    ...StatusCols,
    stays: Type.Integer(),
    median_days: Type.Number(),
    mean_days: Type.Number(),
  }),
);
export const OverdueResponse = data(
  Type.Object({
    owner_id: Nullable(Type.Integer()),
    overdue: Type.Integer(),
    leads: Type.Integer(),
    oldest_scheduled_at: Nullable(Type.String()),
  }),
  { as_of: Type.String() },
);
export const ActivityResponse = data(
  Type.Object({
    owner_id: Nullable(Type.Integer()),
    follow_ups: Type.Integer(),
    tasks: Type.Integer(),
    status_changes: Type.Integer(),
  }),
);

/** A report's rows as CSV (RFC 4180 quoting; formulas neutralised as in the lead export). */
export function toCsv(rows: Array<Record<string, unknown>>): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
