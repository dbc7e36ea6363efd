import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useApi } from '../hooks';
import { ErrorNote, Field, SelectField } from '../components/ui';

interface Condition {
  field: string;
  op: string;
  value?: unknown;
}
interface Rule {
  id: number;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Condition[];
  strategy: string;
  user_ids: number[];
  team_id: number | null;
  capacity: number;
  capacity_days: number;
  sla_minutes: number | null;
}
interface Member {
  user_id: number;
  name: string;
  email: string;
  active: boolean;
  away: boolean;
  open_leads: number;
  assigned_last_30_days: number;
}
interface Team {
  id: number;
  name: string;
}

const STRATEGIES: Record<string, string> = {
  round_robin: 'Round robin',
  least_open: 'Fewest open leads',
  user: 'One user',
  team: 'A team',
};
const OPS: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  contains: 'contains',
  starts_with: 'starts with',
  exists: 'is set',
  not_exists: 'is empty',
  gt: 'greater than',
  lt: 'less than',
};

function describe(c: Condition) {
  const v = Array.isArray(c.value) ? c.value.join(', ') : c.value === undefined ? '' : String(c.value);
  return `${c.field} ${OPS[c.op] ?? c.op} ${v}`.trim();
}

const EMPTY = {
  name: '',
  strategy: 'round_robin',
  users: [] as number[],
  team: '',
  field: '',
  op: 'eq',
  value: '',
  capacity: '30',
  days: '30',
  sla: '',
};

/** Settings > Assignment: who gets new leads, in rule order, and who is away. */
export function AssignmentRuleSettings() {
  const rules = useApi<{ data: Rule[] }>('/assignment-rules');
  const members = useApi<{ data: Member[] }>('/assignment-users');
  const teams = useApi<{ data: Team[] }>('/teams');
  const list = rules.data?.data ?? [];
  const people = members.data?.data ?? [];
  const name = (id: number) => people.find((p) => p.user_id === id)?.name ?? `#${id}`;
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  // Shown at once, before the list reloads.
  const [awayNow, setAwayNow] = useState<Record<number, boolean>>({});

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const value = form.op === 'in' ? form.value.split(',').map((s) => s.trim()) : form.value;
    try {
      await api.post('/assignment-rules', {
        name: form.name,
        strategy: form.strategy,
        user_ids: form.users,
        team_id: form.team ? Number(form.team) : null,
        conditions: form.field
          ? [
              {
                field: form.field,
                op: form.op,
                ...(['exists', 'not_exists'].includes(form.op) ? {} : { value }),
              },
            ]
          : [],
        capacity: form.capacity === '' ? null : Number(form.capacity),
        capacity_days: Number(form.days) || 30,
        sla_minutes: form.sla ? Number(form.sla) : null,
      });
      setForm(EMPTY);
      rules.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }

  async function move(index: number, by: number) {
    const ids = list.map((r) => r.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id);
    await api.put('/assignment-rules/order', { ids }).then(rules.reload, setError);
  }

  return (
    <div className="stack">
      <h2>Assignment rules</h2>
      <p className="muted">
        Each new lead without an owner goes through the rules in order; the first that matches and has someone
        available assigns it. Away and deactivated users are skipped, and no one gets more than the capacity.
      </p>
      <table className="grid settings-table" aria-label="Assignment rules">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Rule</th>
            <th scope="col">When</th>
            <th scope="col">Assigns</th>
            <th scope="col">Capacity</th>
            <th scope="col">SLA</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((r, i) => (
            <tr key={r.id}>
              <td>
                <button type="button" className="link" disabled={i === 0} onClick={() => void move(i, -1)}>
                  Up<span className="sr-only"> {r.name}</span>
                </button>{' '}
                <button
                  type="button"
                  className="link"
                  disabled={i === list.length - 1}
                  onClick={() => void move(i, 1)}
                >
                  Down<span className="sr-only"> {r.name}</span>
                </button>
              </td>
              <td>
                {r.name}
                {!r.enabled && <span className="muted"> (off)</span>}
              </td>
              <td>{r.conditions.length ? r.conditions.map(describe).join(' and ') : 'every lead'}</td>
              <td>
                {STRATEGIES[r.strategy] ?? r.strategy}
                {r.user_ids.length > 0 && `: ${r.user_ids.map(name).join(', ')}`}
                {r.team_id !== null &&
                  ` (team ${teams.data?.data.find((t) => t.id === r.team_id)?.name ?? r.team_id})`}
              </td>
              <td>{r.capacity === 0 ? 'no limit' : `${r.capacity} / ${r.capacity_days} days`}</td>
              <td>{r.sla_minutes ? `${r.sla_minutes} min` : '—'}</td>
              <td>
                <button
                  type="button"
                  className="link danger"
                  onClick={() => api.del(`/assignment-rules/${r.id}`).then(rules.reload, setError)}
                >
                  Delete<span className="sr-only"> {r.name}</span>
                </button>
              </td>
            </tr>
          ))}
          {list.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No rules yet: new leads stay unassigned unless someone picks an owner.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <form className="card form-grid" onSubmit={add} noValidate aria-label="Add an assignment rule">
        <Field
          label="Rule name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={error?.fields.name}
        />
        <SelectField
          label="Strategy"
          value={form.strategy}
          onChange={(e) => setForm({ ...form, strategy: e.target.value })}
          error={error?.fields.strategy}
        >
          {Object.entries(STRATEGIES).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </SelectField>
        <Field
          label="When field (optional)"
          hint="source, country, state, city, email… or custom_fields.<key>"
          value={form.field}
          onChange={(e) => setForm({ ...form, field: e.target.value })}
          error={error?.fields['conditions[0].field']}
        />
        <SelectField
          label="Operator"
          value={form.op}
          onChange={(e) => setForm({ ...form, op: e.target.value })}
        >
          {Object.entries(OPS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </SelectField>
        <Field
          label="Value"
          hint="For “is one of”, separate values with commas"
          value={form.value}
          onChange={(e) => setForm({ ...form, value: e.target.value })}
          error={error?.fields['conditions[0].value']}
        />
        <SelectField
          label="Team"
          value={form.team}
          onChange={(e) => setForm({ ...form, team: e.target.value })}
          error={error?.fields.team_id}
        >
          <option value="">No team</option>
          {(teams.data?.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <Field
          label="Capacity per user"
          type="number"
          min={0}
          hint="0: no limit"
          value={form.capacity}
          onChange={(e) => setForm({ ...form, capacity: e.target.value })}
          error={error?.fields.capacity}
        />
        <Field
          label="Capacity period (days)"
          type="number"
          min={1}
          value={form.days}
          onChange={(e) => setForm({ ...form, days: e.target.value })}
          error={error?.fields.capacity_days}
        />
        <Field
          label="Reassign if not contacted within (minutes)"
          type="number"
          min={1}
          value={form.sla}
          onChange={(e) => setForm({ ...form, sla: e.target.value })}
          error={error?.fields.sla_minutes}
        />
        <fieldset className="span-all">
          <legend>Users</legend>
          {people
            .filter((p) => p.active)
            .map((p) => (
              <label key={p.user_id} className="check-row">
                <input
                  type="checkbox"
                  checked={form.users.includes(p.user_id)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      users: e.target.checked
                        ? [...form.users, p.user_id]
                        : form.users.filter((u) => u !== p.user_id),
                    })
                  }
                />
                {p.name}
              </label>
            ))}
          {error?.fields.user_ids && (
            <small className="error" role="alert">
              {error.fields.user_ids}
            </small>
          )}
        </fieldset>
        <ErrorNote error={error && !error.errors.length ? error : null} />
        <div className="actions span-all">
          <button type="submit" className="primary">
            Add rule
          </button>
        </div>
      </form>

      <h3>Availability</h3>
      <table className="grid settings-table" aria-label="Availability">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Open leads</th>
            <th scope="col">Assigned (30 days)</th>
            <th scope="col">Away</th>
          </tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <tr key={p.user_id}>
              <td>
                {p.name}
                {!p.active && <span className="muted"> (deactivated)</span>}
              </td>
              <td>{p.open_leads}</td>
              <td>{p.assigned_last_30_days}</td>
              <td>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={awayNow[p.user_id] ?? p.away}
                    onChange={(e) => {
                      const away = e.target.checked;
                      setAwayNow({ ...awayNow, [p.user_id]: away });
                      api
                        .put(`/assignment-users/${p.user_id}/away`, { away })
                        .then(members.reload, (err: ApiError) => {
                          setAwayNow({ ...awayNow, [p.user_id]: !away });
                          setError(err);
                        });
                    }}
                  />
                  <span className="sr-only">{p.name} is away</span>
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
