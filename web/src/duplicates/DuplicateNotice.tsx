import './duplicates.css';
import { useState } from 'react';
import { api } from '../api';
import { Link } from '../router';
import { leadName, useApi } from '../hooks';
import type { Lead } from '../types';
import { ErrorNote } from '../components/ui';
import { MergeDialog } from './MergeDialog';
import { REASON_LABEL, type LeadSummary } from './merge-fields';

interface Candidate {
  lead_id: number;
  score: number;
  reasons: string[];
  flagged: boolean;
  dismissed: boolean;
  lead: LeadSummary;
}

/** On the lead page: "merged into #N" (with its undo), or the possible duplicates of the lead. */
export function DuplicateNotice({ lead, onChange }: { lead: Lead; onChange: () => void }) {
  const mergedInto = lead.merged_into_id as number | null | undefined;
  const count = (lead.possible_duplicates as number | undefined) ?? 0;
  const [open, setOpen] = useState(false);
  const [merging, setMerging] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cands = useApi<{ data: Candidate[] }>(open ? `/leads/${lead.id}/duplicates` : null);

  if (mergedInto)
    return (
      <div className="notice" role="status">
        This lead was merged into <Link to={`/leads/${mergedInto}`}>lead #{mergedInto}</Link>.{' '}
        <button
          type="button"
          className="link"
          onClick={async () => {
            try {
              await api.post(`/leads/${lead.id}/unmerge`);
              onChange();
            } catch (e) {
              setError(e);
            }
          }}
        >
          Undo the merge
        </button>
        <ErrorNote error={error} />
      </div>
    );
  if (count === 0) return null;
  const shown = (cands.data?.data ?? []).filter((c) => c.flagged && !c.dismissed);
  return (
    <div className="notice dup-notice" role="status">
      {count === 1 ? '1 possible duplicate' : `${count} possible duplicates`}.{' '}
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide' : 'Review'}
      </button>
      <ErrorNote error={error ?? cands.error} />
      {open && (
        <ul>
          {shown.map((c) => (
            <li key={c.lead_id}>
              <Link to={`/leads/${c.lead_id}`}>
                #{c.lead_id} {leadName(c.lead)}
              </Link>{' '}
              <span className="muted">
                {Math.round(c.score * 100)}%: {c.reasons.map((r) => REASON_LABEL[r] ?? r).join(', ')}
              </span>{' '}
              <button type="button" className="link" onClick={() => setMerging([lead.id, c.lead_id])}>
                Merge…
              </button>{' '}
              <button
                type="button"
                className="link"
                onClick={async () => {
                  try {
                    await api.post('/duplicates/dismiss', { lead_ids: [lead.id, c.lead_id] });
                    onChange();
                    cands.reload();
                  } catch (e) {
                    setError(e);
                  }
                }}
              >
                Not a duplicate
              </button>
            </li>
          ))}
        </ul>
      )}
      {merging && (
        <MergeDialog
          ids={merging}
          onClose={() => {
            setMerging(null);
            onChange();
          }}
        />
      )}
    </div>
  );
}
