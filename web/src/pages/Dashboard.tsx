import { useMemo, useState } from 'react';
import { download, qs } from '../api';
import { navigate } from '../router';
import { formatMoney, useApi, useUsers } from '../hooks';
import { Columns, HBars, color } from '../components/charts';
import { ErrorNote, Spinner } from '../components/ui';

// Every chart comes from one /api/v1/reports endpoint: the server groups the leads in the database, so the
// numbers are exact for any size (no paging through the list, no cap).

interface Rows<T> {
  data: T[];
}
interface StatusRow {
  status: string;
  label: string;
  category: string;
  count: number;
}
interface BoardRow extends StatusRow {
  value: string;
  weighted_value: string;
}
interface CreatedRow {
  period: string;
  source: string | null;
  count: number;
}
interface ConversionRow {
  source?: string | null;
  owner_id?: number | null;
  leads: number;
  converted: number;
  rate: number;
}
interface WonRow {
  month: string;
  count: number;
  value: string;
}
interface TimeRow {
  status: string;
  label: string;
  stays: number;
  median_days: number;
}
interface OverdueRow {
  owner_id: number | null;
  overdue: number;
  leads: number;
}
interface ActivityRow {
  owner_id: number | null;
  follow_ups: number;
  tasks: number;
  status_changes: number;
}
interface Team {
  id: number;
  name: string;
}

const dayStart = (d: string) => `${d}T00:00:00.000Z`;
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Month "2026-12" -> [from, to) for the list's created or status filters. */
const monthRange = (m: string) => {
  const [y, mo] = m.split('-').map(Number);
  return [new Date(Date.UTC(y, mo - 1, 1)).toISOString(), new Date(Date.UTC(y, mo, 1)).toISOString()];
};

/**
 * One report on the dashboard. Until its report has answered, the card says it is loading: an empty chart, or
 * "Nothing overdue", shown before the numbers arrive would be a false answer for a moment.
 */
function Card({
  title,
  report,
  params,
  state,
  children,
  span,
}: {
  title: string;
  report: string;
  params: Record<string, string>;
  /** The card's report query: its data, or its error. */
  state: { data?: unknown; error: Error | null };
  children: React.ReactNode;
  span?: boolean;
}) {
  const [error, setError] = useState<unknown>(null);
  return (
    <article className={`card${span ? ' span-2' : ''}`} aria-busy={state.data === undefined && !state.error}>
      <div className="card-head">
        <h2>{title}</h2>
        <button
          type="button"
          className="link"
          onClick={() =>
            download(`/reports/${report}${qs({ ...params, format: 'csv' })}`, `${report}.csv`).catch(setError)
          }
        >
          CSV
        </button>
      </div>
      <ErrorNote error={error ?? state.error} />
      {state.data !== undefined ? (
        children
      ) : state.error ? null : (
        <Spinner label={`Loading ${title.toLowerCase()}`} />
      )}
    </article>
  );
}

export function DashboardPage() {
  const users = useUsers();
  const teams = useApi<Rows<Team>>('/teams');
  const [from, setFrom] = useState(isoDay(Date.now() - 83 * 86_400_000));
  const [to, setTo] = useState(isoDay(Date.now()));
  const [owner, setOwner] = useState('');
  const [team, setTeam] = useState('');

  // The report filters, and the same filters for the lead list a chart clicks through to.
  const params = useMemo(() => {
    const p: Record<string, string> = {};
    if (from) p.from = dayStart(from);
    if (to) p.to = nextDay(to);
    if (owner) p.owner_id = owner;
    if (team) p.team_id = team;
    return p;
  }, [from, to, owner, team]);
  const listFilters = (extra: Record<string, string | undefined>) => {
    const p: Record<string, string | undefined> = {
      include_converted: 'true',
      owner_id: owner,
      team_id: team,
    };
    if (from) p.created_after = dayStart(from);
    if (to) p.created_before = nextDay(to);
    navigate(`/leads${qs({ ...p, ...extra })}`);
  };
  const q = qs(params);
  const board = useApi<Rows<BoardRow> & { total: number; value: string; weighted_value: string }>(
    `/reports/board${q}`,
  );
  const created = useApi<Rows<CreatedRow>>(`/reports/created${qs({ ...params, period: 'week' })}`);
  const conversion = useApi<Rows<ConversionRow>>(`/reports/conversion${qs({ ...params, by: 'source' })}`);
  const byOwner = useApi<Rows<ConversionRow>>(`/reports/conversion${qs({ ...params, by: 'owner' })}`);
  const won = useApi<Rows<WonRow>>(`/reports/won-value${q}`);
  const time = useApi<Rows<TimeRow>>(`/reports/time-in-status${q}`);
  const overdue = useApi<Rows<OverdueRow>>(
    `/reports/overdue-follow-ups${qs({ owner_id: owner, team_id: team })}`,
  );
  const activity = useApi<Rows<ActivityRow>>(`/reports/activity${q}`);

  const userName = (id: number | null | undefined) =>
    id == null ? 'Unassigned' : (users.list.find((u) => u.id === id)?.name ?? `User ${id}`);

  const weekly = useMemo(() => {
    const rows = created.data?.data ?? [];
    const weeks = [...new Set(rows.map((r) => r.period))].sort();
    const sources = [...new Set(rows.map((r) => r.source ?? '(none)'))];
    return {
      weeks,
      series: sources.map((name) => ({
        name,
        values: weeks.map((w) =>
          rows
            .filter((r) => r.period === w && (r.source ?? '(none)') === name)
            .reduce((a, r) => a + r.count, 0),
        ),
      })),
    };
  }, [created.data]);
  return (
    <section className="page dashboard-page" aria-labelledby="dash-h">
      <div className="page-head">
        <h1 id="dash-h">Dashboard</h1>
      </div>
      <form className="dash-filters" onSubmit={(e) => e.preventDefault()} aria-label="Report filters">
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Owner{' '}
          <select value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="">Everyone</option>
            {users.list.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team{' '}
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {(teams.data?.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={board.error} />
      {!board.data ? (
        !board.error && <Spinner label="Crunching numbers" />
      ) : (
        <div className="dash-grid">
          <Card title="Funnel by status" report="funnel" params={params} state={board}>
            <p className="muted">{board.data.total.toLocaleString()} leads created in the range</p>
            <HBars
              title="Leads per status"
              bars={board.data.data
                .filter((f) => f.count > 0 || f.category === 'open')
                .map((f, i) => ({
                  label: f.label,
                  value: f.count,
                  color:
                    f.category === 'won' ? color(1) : f.category === 'lost' ? color(5) : color(i < 7 ? 0 : 7),
                  onClick: () => listFilters({ status: f.status }),
                }))}
            />
          </Card>
          <Card
            title="New leads per week, by source"
            report="created"
            params={{ ...params, period: 'week' }}
            state={created}
          >
            <Columns
              title="New leads per week"
              labels={weekly.weeks.map((w) => `${Number(w.slice(8))}/${Number(w.slice(5, 7))}`)}
              series={weekly.series}
              onPick={(i) =>
                listFilters({
                  created_after: dayStart(weekly.weeks[i]),
                  created_before: new Date(
                    Date.parse(dayStart(weekly.weeks[i])) + 7 * 86_400_000,
                  ).toISOString(),
                })
              }
            />
          </Card>
          <Card
            title="Conversion rate by source"
            report="conversion"
            params={{ ...params, by: 'source' }}
            state={conversion}
          >
            <HBars
              title="Won or converted share per source"
              max={100}
              bars={(conversion.data?.data ?? []).map((c) => ({
                label: c.source ?? '(none)',
                value: 100 * c.rate,
                text: `${Math.round(100 * c.rate)}% (${c.converted}/${c.leads})`,
                color: color(1),
                onClick: c.source ? () => listFilters({ source: c.source! }) : undefined,
              }))}
            />
          </Card>
          <Card
            title="Conversion rate by owner"
            report="conversion"
            params={{ ...params, by: 'owner' }}
            state={byOwner}
          >
            <HBars
              title="Won or converted share per owner"
              max={100}
              bars={(byOwner.data?.data ?? []).map((c) => ({
                label: userName(c.owner_id),
                value: 100 * c.rate,
                text: `${Math.round(100 * c.rate)}% (${c.converted}/${c.leads})`,
                color: color(4),
                onClick: c.owner_id ? () => listFilters({ owner_id: String(c.owner_id) }) : undefined,
              }))}
            />
          </Card>
          <Card title="Won value per month" report="won-value" params={params} state={won}>
            {(won.data?.data ?? []).length ? (
              <Columns
                title="Won value per month"
                labels={(won.data?.data ?? []).map((m) => m.month.slice(5) + '/' + m.month.slice(2, 4))}
                series={[{ name: 'Won', values: (won.data?.data ?? []).map((m) => Number(m.value)) }]}
                format={(n) => formatMoney(n)}
                onPick={(i) => {
                  const [a] = monthRange(won.data!.data[i].month);
                  const wonKeys = board.data!.data.filter((c) => c.category === 'won').map((c) => c.status);
                  navigate(
                    `/leads${qs({ status: wonKeys.join(','), updated_after: a, owner_id: owner, team_id: team })}`,
                  );
                }}
              />
            ) : (
              <p className="muted">No won leads in the range.</p>
            )}
          </Card>
          <Card title="Board totals" report="board" params={params} state={board}>
            <p>
              Value {formatMoney(board.data.value)} · weighted {formatMoney(board.data.weighted_value)}
            </p>
            <HBars
              title="Weighted value per column"
              bars={board.data.data
                .filter((c) => c.count > 0)
                .map((c) => ({
                  label: c.label,
                  value: Number(c.weighted_value),
                  text: `${formatMoney(c.weighted_value)} of ${formatMoney(c.value)} (${c.count})`,
                  color: color(2),
                  onClick: () => listFilters({ status: c.status }),
                }))}
            />
          </Card>
          <Card title="Median days in status" report="time-in-status" params={params} state={time}>
            <HBars
              title="Median days in each status"
              bars={(time.data?.data ?? [])
                .filter((r) => r.stays > 0)
                .map((r) => ({
                  label: r.label,
                  value: r.median_days,
                  text: `${r.median_days.toFixed(1)} d (${r.stays})`,
                  color: color(3),
                  onClick: () => listFilters({ status: r.status }),
                }))}
            />
          </Card>
          <Card
            title="Overdue follow-ups per owner"
            report="overdue-follow-ups"
            params={{ owner_id: owner, team_id: team }}
            state={overdue}
          >
            {(overdue.data?.data ?? []).length === 0 ? (
              <p className="muted">Nothing overdue. Nice.</p>
            ) : (
              <HBars
                title="Overdue follow-ups per owner"
                bars={(overdue.data?.data ?? []).map((r) => ({
                  label: userName(r.owner_id),
                  value: r.overdue,
                  text: `${r.overdue} on ${r.leads} leads`,
                  color: color(5),
                  onClick: r.owner_id
                    ? () => navigate(`/leads${qs({ owner_id: String(r.owner_id) })}`)
                    : undefined,
                }))}
              />
            )}
          </Card>
          <Card title="Activity per owner" report="activity" params={params} state={activity} span>
            <table className="table">
              <thead>
                <tr>
                  <th>Owner</th>
                  <th>Follow-ups</th>
                  <th>Tasks</th>
                  <th>Status changes</th>
                </tr>
              </thead>
              <tbody>
                {(activity.data?.data ?? []).map((r) => (
                  <tr key={String(r.owner_id)}>
                    <td>
                      {r.owner_id ? (
                        <a
                          href={`/leads?owner_id=${r.owner_id}`}
                          onClick={(e) => {
                            e.preventDefault();
                            listFilters({ owner_id: String(r.owner_id) });
                          }}
                        >
                          {userName(r.owner_id)}
                        </a>
                      ) : (
                        userName(null)
                      )}
                    </td>
                    <td>{r.follow_ups}</td>
                    <td>{r.tasks}</td>
                    <td>{r.status_changes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
      )}
    </section>
  );
}
