import './duplicates.css';
import { useState } from 'react';
import { api, qs } from '../api';
import { Link } from '../router';
import { formatDate, leadName, useApi } from '../hooks';
import { ErrorNote, Spinner } from '../components/ui';
import { MergeDialog } from './MergeDialog';
import { REASON_LABEL, type LeadSummary } from './merge-fields';

interface Group {
  id: number;
  score: number;
  leads: LeadSummary[];
  pairs: Array<{ lead_a: number; lead_b: number; score: number; reasons: string[] }>;
}

/** The organization's open duplicate groups: open a lead, merge the group, or say they are not duplicates. */
export function DuplicatesPage() {
  const [cursor, setCursor] = useState<string | null>(null);
  const page = useApi<{ data: Group[]; next_cursor: string | null }>(
    `/duplicates${qs({ limit: 25, cursor })}`,
  );
  const [merging, setMerging] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function dismiss(g: Group) {
    setError(null);
    try {
      for (const p of g.pairs) await api.post('/duplicates/dismiss', { lead_ids: [p.lead_a, p.lead_b] });
      page.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section className="page" aria-labelledby="dup-h">
      <div className="page-head">
        <h1 id="dup-h">Duplicates</h1>
      </div>
      <p className="muted">
        Leads that look like the same person: the same email (case, dots and +tags folded), phone, external
        id, or a similar name at the same company.
      </p>
      <ErrorNote error={error ?? page.error} />
      {page.loading && <Spinner />}
      {page.data && page.data.data.length === 0 && <p className="muted">No possible duplicates.</p>}
      <ul className="dup-groups">
        {page.data?.data.map((g) => {
          const reasons = [...new Set(g.pairs.flatMap((p) => p.reasons))];
          return (
            <li key={g.id} className="card">
              <h2 className="dup-title">
                {leadName(g.leads[0])} <span className="muted">· {g.leads.length} leads</span>
              </h2>
              <p className="muted">
                Match {Math.round(g.score * 100)}%: {reasons.map((r) => REASON_LABEL[r] ?? r).join(', ')}
              </p>
              <table className="grid">
                <thead>
                  <tr>
                    <th scope="col">Lead</th>
                    <th scope="col">Company</th>
                    <th scope="col">Email</th>
                    <th scope="col">Phone</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {g.leads.map((l) => (
                    <tr key={l.id}>
                      <td>
                        <Link to={`/leads/${l.id}`}>
                          #{l.id} {leadName(l)}
                        </Link>
                      </td>
                      <td>{l.company_name}</td>
                      <td>{l.email}</td>
                      <td>{l.phone}</td>
                      <td>{formatDate(l.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="actions">
                <button type="button" onClick={() => void dismiss(g)}>
                  Not duplicates
                </button>
                <button
                  type="button"
                  className="primary"
                  onClick={() => setMerging(g.leads.map((l) => l.id))}
                >
                  Merge…
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="actions">
        {cursor && (
          <button type="button" onClick={() => setCursor(null)}>
            First page
          </button>
        )}
        {page.data?.next_cursor && (
          <button type="button" onClick={() => setCursor(page.data!.next_cursor)}>
            Next page
          </button>
        )}
      </div>
      {merging && (
        <MergeDialog
          ids={merging}
          onClose={() => {
            setMerging(null);
            page.reload();
          }}
        />
      )}
    </section>
  );
}
