import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useApi, useUsers } from '../hooks';
import { useSession } from '../session';
import { CopyButton, ErrorNote, Field, SelectField } from '../components/ui';
import { InvitationList } from './Invitations';

const ROLES = ['owner', 'admin', 'manager', 'agent', 'viewer'];

interface Team {
  id: number;
  name: string;
  members?: { id: number; name: string; email: string }[];
}

export function UserSettings() {
  const { me } = useSession();
  const users = useUsers();
  const teams = useApi<Team[] | { data: Team[] }>('/teams');
  const teamList = Array.isArray(teams.data) ? teams.data : (teams.data?.data ?? []);
  const [invite, setInvite] = useState({ email: '', role: 'agent' });
  const [link, setLink] = useState('');
  const [invited, setInvited] = useState(0);
  const [teamName, setTeamName] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  async function sendInvite(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<{ token: string }>('/invitations', invite);
      // The person opens this page of the app, which accepts through POST /invitations/:token/accept.
      setLink(`${location.origin}/invite/${encodeURIComponent(r.token)}`);
      setInvite({ email: '', role: 'agent' });
      setInvited((n) => n + 1);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function addTeam(e: FormEvent) {
    e.preventDefault();
    try {
      await api.post('/teams', { name: teamName });
      setTeamName('');
      teams.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const [notice, setNotice] = useState('');
  const act = (p: Promise<unknown>) => {
    setNotice('');
    return p.then(users.reload, setError);
  };

  return (
    <div className="stack">
      <h2>Users</h2>
      {notice && <p role="status">{notice}</p>}
      {
        <table className="grid settings-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {users.list.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role ?? ''}
                    onChange={(e) => act(api.patch(`/users/${u.id}`, { role: e.target.value }))}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.active === false ? (
                    'deactivated'
                  ) : u.id === me?.user?.id ? (
                    'you'
                  ) : (
                    <>
                      <button
                        type="button"
                        className="link danger"
                        onClick={() => act(api.patch(`/users/${u.id}`, { active: false }))}
                      >
                        Deactivate
                      </button>{' '}
                      <button
                        type="button"
                        className="link"
                        aria-label={`Reset two-factor of ${u.name}`}
                        title="For a member who lost their phone and recovery codes"
                        onClick={() =>
                          act(
                            api
                              .del(`/users/${u.id}/two-factor`)
                              .then(() => setNotice(`Two-factor sign-in of ${u.name} is off.`)),
                          )
                        }
                      >
                        Reset two-factor
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
      <form className="card form-grid" onSubmit={sendInvite} noValidate aria-label="Invite a user">
        <Field
          label="Invite by email"
          type="email"
          value={invite.email}
          onChange={(e) => setInvite({ ...invite, email: e.target.value })}
          error={error?.fields.email}
        />
        <SelectField
          label="Role"
          value={invite.role}
          onChange={(e) => setInvite({ ...invite, role: e.target.value })}
          error={error?.fields.role}
        >
          {ROLES.filter((r) => r !== 'owner').map((r) => (
            <option key={r}>{r}</option>
          ))}
        </SelectField>
        <div className="actions span-all">
          <button type="submit" className="primary">
            Create invitation
          </button>
        </div>
        {link && (
          <p className="span-all">
            Invitation emailed. You can also send this one-time link yourself:{' '}
            <code className="secret">{link}</code> <CopyButton text={link} label="Copy the link" />
          </p>
        )}
      </form>
      <ErrorNote error={error && !error.errors.length ? error : null} />
      <InvitationList reloadKey={invited} />
      <h2>Teams</h2>
      {
        <>
          <ul className="plain list-rows">
            {teamList.map((t) => {
              const members = t.members ?? [];
              const ids = new Set(members.map((m) => m.id));
              const member = (p: Promise<unknown>) => p.then(teams.reload, setError);
              return (
                <li key={t.id}>
                  <strong>{t.name}</strong>
                  <ul className="chips" aria-label={`Members of ${t.name}`}>
                    {members.map((m) => (
                      <li key={m.id}>
                        {m.name}
                        <button
                          type="button"
                          className="icon"
                          aria-label={`Remove ${m.name} from ${t.name}`}
                          onClick={() => member(api.del(`/teams/${t.id}/members/${m.id}`))}
                        >
                          ×
                        </button>
                      </li>
                    ))}
                    {members.length === 0 && <li className="muted">no members</li>}
                  </ul>
                  <label>
                    <span className="sr-only">Add a member to {t.name}</span>
                    <select
                      value=""
                      onChange={(e) => member(api.put(`/teams/${t.id}/members/${e.target.value}`, {}))}
                    >
                      <option value="">Add member…</option>
                      {users.list
                        .filter((u) => !ids.has(u.id) && u.active !== false)
                        .map((u) => (
                          <option key={u.id} value={u.id}>
                            {u.name}
                          </option>
                        ))}
                    </select>
                  </label>
                </li>
              );
            })}
            {teamList.length === 0 && <li className="muted">No teams yet.</li>}
          </ul>
          <form className="inline-form" onSubmit={addTeam}>
            <Field label="New team" value={teamName} onChange={(e) => setTeamName(e.target.value)} />
            <button type="submit">Add team</button>
          </form>
        </>
      }
    </div>
  );
}
