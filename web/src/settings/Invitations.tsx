import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { useApi } from '../hooks';
import { ErrorNote, Spinner } from '../components/ui';

interface Invitation {
  id: number;
  email: string;
  role: string;
  state: string;
  expires_at: string;
  delivery?: { status: string; attempts: number; last_error: string | null; sent_at: string | null } | null;
}

function deliveryText(i: Invitation): string {
  const d = i.delivery;
  if (!d) return 'no email';
  if (d.status === 'sent') return 'email sent';
  if (d.status === 'failed') return `not delivered (${d.last_error ?? 'refused'})`;
  return d.attempts > 0 ? `not delivered yet (retrying: ${d.last_error ?? ''})` : 'sending…';
}

/** Pending invitations, from the server (so they survive a reload), with resend and revoke. */
export function InvitationList({ reloadKey }: { reloadKey: number }) {
  const list = useApi<{ data: Invitation[] }>('/invitations');
  const { reload } = list;
  useEffect(() => {
    if (reloadKey > 0) reload();
  }, [reloadKey, reload]);
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState('');
  const pending = (list.data?.data ?? []).filter((i) => i.state === 'pending');
  const act = async (p: Promise<unknown>, done: string) => {
    setError(null);
    try {
      await p;
      setNote(done);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section aria-labelledby="inv-h" className="stack">
      <h3 id="inv-h">Pending invitations</h3>
      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        !list.error && <Spinner label="Loading invitations" />
      ) : pending.length === 0 ? (
        <p className="muted">No pending invitations.</p>
      ) : (
        <table className="grid settings-table" aria-label="Pending invitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">Delivery</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{i.role}</td>
                <td>{new Date(i.expires_at).toLocaleDateString()}</td>
                <td>{deliveryText(i)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-label={`Resend the invitation to ${i.email}`}
                    onClick={() =>
                      act(api.post(`/invitations/${i.id}/resend`), `Invitation sent again to ${i.email}.`)
                    }
                  >
                    Resend
                  </button>{' '}
                  <button
                    type="button"
                    className="link danger"
                    aria-label={`Revoke the invitation to ${i.email}`}
                    onClick={() => act(api.del(`/invitations/${i.id}`), `Invitation to ${i.email} revoked.`)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {note && <p role="status">{note}</p>}
      <ErrorNote error={error} />
    </section>
  );
}
