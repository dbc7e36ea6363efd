import { useEffect, useState } from 'react';
import { api, isMissing, qs } from '../api';
import { Link } from '../router';
import { formatDateTime, formatMoney, leadName, useStatuses } from '../hooks';
import type { Lead, Page, Status } from '../types';
import { Columns, HBars, color } from '../components/charts';
import { ErrorNote, Missing, Spinner } from '../components/ui';

const WEEKS = 12;
const MONTHS = 12;
const CAP = 5000;

/** An entry of the follow-up queue: a lead whose next follow-up is due. */
interface Due {
  due_at: string;
  overdue: boolean;
  lead: Lead;
}

const count = async (params: Record<string, string>) =>
  (await api.get<Page<Lead>>(`/leads${qs({ ...params, limit: 1, include_total: true })}`)).total ?? 0;

/** Every lead matching the filter, newest first, up to CAP (keyset pages of 200). */
async function collect(params: Record<string, string>): Promise<{ leads: Lead[]; capped: boolean }> {
  const leads: Lead[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Lead> = await api.get<Page<Lead>>(`/leads${qs({ ...params, limit: 200, cursor })}`);
    leads.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && leads.length < CAP);
  return { leads, capped: !!cursor };
}

const weekStart = (d: Date) => {
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  x.setUTCDate(x.getUTCDate() - ((x.getUTCDay() + 6) % 7));
  return x;
};
const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

interface Data {
  funnel: { status: Status; n: number }[];
  weeks: string[];
  bySource: { name: string; values: number[] }[];
  weeksCapped: boolean;
  conversion: { source: string; total: number; won: number }[];
  months: string[];
  wonValues: number[];
  wonCapped: boolean;
}

// The charts are computed from the public list API (exact counts via include_total, samples via keyset pages),
// so they work on any server version; a reporting endpoint would make the larger samples cheaper.
async function load(statuses: Status[]): Promise<Data> {
  const won = statuses
    .filter((s) => s.category === 'won' || s.category === 'converted')
    .map((s) => s.key)
    .join(',');
  const funnel = await Promise.all(
    statuses.map(async (s) => ({ status: s, n: await count({ status: s.key }) })),
  );

  const firstWeek = weekStart(new Date(Date.now() - (WEEKS - 1) * 7 * 86_400_000));
  const recent = await collect({ created_after: firstWeek.toISOString(), sort: '-created_at' });
  const weeks = Array.from({ length: WEEKS }, (_, i) => new Date(firstWeek.getTime() + i * 7 * 86_400_000));
  const sourceCount = new Map<string, number>();
  for (const l of recent.leads)
    sourceCount.set(l.source || '(none)', (sourceCount.get(l.source || '(none)') ?? 0) + 1);
  const topSources = [...sourceCount.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([s]) => s);
  const bySource = topSources.map((name) => ({ name, values: weeks.map(() => 0) }));
  const other = { name: 'Other', values: weeks.map(() => 0) };
  for (const l of recent.leads) {
    const wi = Math.floor(
      (weekStart(new Date(l.created_at)).getTime() - firstWeek.getTime()) / (7 * 86_400_000),
    );
    if (wi < 0 || wi >= WEEKS) continue;
    (bySource.find((s) => s.name === (l.source || '(none)')) ?? other).values[wi]++;
  }
  if (other.values.some(Boolean)) bySource.push(other);

  const conversion = await Promise.all(
    topSources
      .filter((s) => s !== '(none)')
      .map(async (source) => ({
        source,
        total: await count({ source }),
        won: won ? await count({ source, status: won }) : 0,
      })),
  );

  const firstMonth = new Date(
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - (MONTHS - 1), 1),
  );
  const months = Array.from({ length: MONTHS }, (_, i) =>
    monthKey(new Date(Date.UTC(firstMonth.getUTCFullYear(), firstMonth.getUTCMonth() + i, 1))),
  );
  const wonLeads = won
    ? await collect({ status: won, updated_after: firstMonth.toISOString(), sort: '-updated_at' })
    : { leads: [], capped: false };
  const wonValues = months.map(() => 0);
  for (const l of wonLeads.leads) {
    const i = months.indexOf(monthKey(new Date(l.status_changed_at)));
    if (i >= 0) wonValues[i] += l.value ? Number(l.value) : 0;
  }
  return {
    funnel,
    weeks: weeks.map((w) => `${w.getUTCDate()}/${w.getUTCMonth() + 1}`),
    bySource,
    weeksCapped: recent.capped,
    conversion,
    months: months.map((m) => m.slice(5) + '/' + m.slice(2, 4)),
    wonValues,
    wonCapped: wonLeads.capped,
  };
}

export function DashboardPage() {
  const statuses = useStatuses();
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [overdue, setOverdue] = useState<Due[] | null | 'missing'>(null);

  useEffect(() => {
    if (!statuses.list.length) return;
    load(statuses.list).then(setData, setError);
  }, [statuses.list]);
  useEffect(() => {
    api.get<Page<Due>>(`/follow-ups${qs({ due_before: new Date().toISOString(), limit: 20 })}`).then(
      (r) => setOverdue(r.data),
      (e) => setOverdue(isMissing(e) ? 'missing' : []),
    );
  }, []);

  if (statuses.missing) return <Missing what="The dashboard" endpoint="GET /api/v1/statuses" />;
  return (
    <section className="page dashboard-page" aria-labelledby="dash-h">
      <div className="page-head">
        <h1 id="dash-h">Dashboard</h1>
      </div>
      <ErrorNote error={error} />
      {!data ? (
        <Spinner label="Crunching numbers" />
      ) : (
        <div className="dash-grid">
          <article className="card">
            <h2>Funnel by status</h2>
            <HBars
              title="Leads per status"
              bars={data.funnel
                .filter((f) => f.n > 0 || f.status.category === 'open')
                .map((f, i) => ({
                  label: f.status.label,
                  value: f.n,
                  color:
                    f.status.category === 'won'
                      ? color(1)
                      : f.status.category === 'lost'
                        ? color(5)
                        : color(i < 7 ? 0 : 7),
                }))}
            />
          </article>
          <article className="card">
            <h2>New leads per week, by source</h2>
            <Columns title="New leads per week" labels={data.weeks} series={data.bySource} />
            {data.weeksCapped && <p className="muted">Based on the {CAP.toLocaleString()} newest leads.</p>}
          </article>
          <article className="card">
            <h2>Conversion rate by source</h2>
            {data.conversion.length ? (
              <HBars
                title="Won or converted share per source"
                max={100}
                bars={data.conversion.map((c) => ({
                  label: c.source,
                  value: c.total ? (100 * c.won) / c.total : 0,
                  text: `${c.total ? Math.round((100 * c.won) / c.total) : 0}% (${c.won}/${c.total})`,
                  color: color(1),
                }))}
              />
            ) : (
              <p className="muted">No leads with a source in the last {WEEKS} weeks.</p>
            )}
          </article>
          <article className="card">
            <h2>Won value per month</h2>
            {data.wonValues.some((v) => v > 0) ? (
              <Columns
                title="Won value per month"
                labels={data.months}
                series={[{ name: 'Won', values: data.wonValues }]}
                format={(n) => formatMoney(n)}
              />
            ) : (
              <p className="muted">No won leads with a value in the last {MONTHS} months.</p>
            )}
            {data.wonCapped && <p className="muted">Based on the {CAP.toLocaleString()} most recent wins.</p>}
          </article>
          <article className="card span-2">
            <h2>Overdue follow-ups</h2>
            {overdue === 'missing' ? (
              <Missing what="The follow-up queue" endpoint="GET /api/v1/follow-ups" />
            ) : overdue === null ? (
              <Spinner />
            ) : overdue.length === 0 ? (
              <p className="muted">Nothing overdue. Nice.</p>
            ) : (
              <ul className="plain overdue">
                {overdue.map((f) => (
                  <li key={f.lead.id}>
                    <Link to={`/leads/${f.lead.id}`}>{leadName(f.lead)}</Link>
                    {f.lead.company_name && <span className="muted"> · {f.lead.company_name}</span>}
                    <span className="muted"> · due {formatDateTime(f.due_at)}</span>
                  </li>
                ))}
              </ul>
            )}
          </article>
        </div>
      )}
    </section>
  );
}
