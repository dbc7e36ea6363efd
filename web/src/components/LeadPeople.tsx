import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import type { Lead, User } from '../types';
import { SelectField } from './ui';

const ROLES: [string, string][] = [
  ['assignee', 'Assignee'],
  ['advisor', 'Advisor'],
  ['bdc', 'BDC agent'],
  ['commercial', 'F&I'],
  ['service_advisor', 'Service advisor'],
  ['service_agent', 'Service agent'],
  ['took_over_by', 'Took over'],
  ['delivered_by', 'Delivered by'],
];
export const roleLabel = (r: string) => (r === 'owner' ? 'Owner' : (ROLES.find(([k]) => k === r)?.[1] ?? r));

/** The users on a lead with their role (GET/POST/DELETE /leads/:id/users). */
export function LeadPeople({ lead, users, onChange }: { lead: Lead; users: User[]; onChange: () => void }) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState('assignee');
  const [error, setError] = useState<ApiError | null>(null);
  const name = (id: number) => users.find((u) => u.id === id)?.name ?? `user #${id}`;

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.post(`/leads/${lead.id}/users`, { user_id: Number(userId), role });
      setUserId('');
      onChange();
    } catch (err) {
      setError(err as ApiError);
    }
  }

  return (
    <section className="card" aria-labelledby="people-h">
      <h2 id="people-h">People</h2>
      {(lead.users ?? []).length === 0 ? (
        <p className="muted">Nobody on this lead yet.</p>
      ) : (
        <ul className="plain-list" aria-label="Users of the lead">
          {(lead.users ?? []).map((u) => (
            <li key={`${u.role}-${u.user_id}`}>
              <span className="pill">{roleLabel(u.role)}</span> {name(u.user_id)}
              {u.id !== null && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove ${name(u.user_id)} as ${roleLabel(u.role)}`}
                  onClick={async () => {
                    await api.del(`/leads/${lead.id}/users/${u.id}`);
                    onChange();
                  }}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form parts-form" onSubmit={add} aria-label="Add a person">
        <SelectField
          label="User"
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
          error={error?.fields.user_id}
        >
          <option value="">Choose…</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value)}
          error={error?.fields.role}
        >
          {ROLES.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </SelectField>
        <button type="submit" disabled={!userId}>
          Add person
        </button>
      </form>
    </section>
  );
}
