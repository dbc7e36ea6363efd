import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { navigate } from '../router';
import { leadName } from '../hooks';
import type { Lead } from '../types';
import { Dialog, ErrorNote, Spinner } from '../components/ui';
import { MERGE_FIELDS, show } from './merge-fields';

interface MergeResult {
  dry_run: boolean;
  merge_id: number | null;
  lead: Lead;
  merged_ids: number[];
  fields: string[];
  moved: Record<string, number>;
}

/**
 * Merges leads: the user picks the lead that stays and, field by field where the leads differ, whose value it
 * keeps; "Preview" shows the result (dry run), "Merge" does it and opens the merged lead.
 */
export function MergeDialog({ ids, onClose }: { ids: number[]; onClose: () => void }) {
  const [leads, setLeads] = useState<Lead[] | null>(null);
  const [primary, setPrimary] = useState<number>(ids[0]);
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [preview, setPreview] = useState<MergeResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const base = useId();

  useEffect(() => {
    let live = true;
    Promise.all(ids.map((id) => api.get<Lead>(`/leads/${id}`)))
      .then((ls) => {
        if (!live) return;
        const sorted = ls.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
        setLeads(sorted);
        setPrimary(sorted[0].id);
      })
      .catch(setError);
    return () => {
      live = false;
    };
  }, [ids]);

  // Where the leads differ, the field is chosen; by default the primary's value, else the first one there is.
  const differing = (leads ?? []).length
    ? MERGE_FIELDS.filter(([f]) => new Set(leads!.map((l) => show(l[f]))).size > 1)
    : [];
  const sourceOf = (f: string) => {
    if (chosen[f] !== undefined) return chosen[f];
    const p = leads!.find((l) => l.id === primary)!;
    if (show(p[f]) !== '') return primary;
    return leads!.find((l) => l.id !== primary && show(l[f]) !== '')?.id ?? primary;
  };

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const fields = Object.fromEntries(differing.map(([f]) => [f, sourceOf(f)]));
      const res = await api.post<MergeResult>('/leads/merge', {
        primary_id: primary,
        ids: leads!.map((l) => l.id).filter((id) => id !== primary),
        fields,
        dry_run: dryRun,
      });
      if (dryRun) setPreview(res);
      else {
        onClose();
        navigate(`/leads/${primary}`);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Merge ${ids.length} leads`} open onClose={onClose}>
      <div className="merge-dialog">
        <ErrorNote error={error} />
        {!leads ? (
          <Spinner />
        ) : (
          <>
            <fieldset>
              <legend>The lead that stays</legend>
              {leads.map((l) => (
                <label key={l.id} className="radio">
                  <input
                    type="radio"
                    name={`${base}-primary`}
                    checked={primary === l.id}
                    onChange={() => {
                      setPrimary(l.id);
                      setPreview(null);
                    }}
                  />
                  #{l.id} {leadName(l)}{' '}
                  <span className="muted">created {new Date(l.created_at).toLocaleDateString()}</span>
                </label>
              ))}
            </fieldset>
            {differing.length === 0 ? (
              <p className="muted">The leads hold the same values: nothing to choose.</p>
            ) : (
              differing.map(([f, label]) => (
                <fieldset key={f} className="merge-field">
                  <legend>{label}</legend>
                  {leads
                    .filter((l) => show(l[f]) !== '' || l.id === primary)
                    .map((l) => (
                      <label key={l.id} className="radio">
                        <input
                          type="radio"
                          name={`${base}-${f}`}
                          checked={sourceOf(f) === l.id}
                          onChange={() => {
                            setChosen({ ...chosen, [f]: l.id });
                            setPreview(null);
                          }}
                        />
                        {show(l[f]) || <span className="muted">(empty)</span>}{' '}
                        <span className="muted">#{l.id}</span>
                      </label>
                    ))}
                </fieldset>
              ))
            )}
            <p className="muted">
              Follow-ups, tasks, comments, attachments, tags, emails and phones, people and history of the
              other leads move to the lead that stays. The other leads are kept as merged; the merge can be
              undone until something changes.
            </p>
            {preview && (
              <div className="notice" role="status">
                <strong>Preview:</strong> {leadName(preview.lead)}
                {preview.lead.company_name ? `, ${preview.lead.company_name}` : ''}
                {preview.lead.email ? `, ${preview.lead.email}` : ''}.{' '}
                {preview.fields.length > 0 &&
                  `Changed: ${preview.fields.map((f) => MERGE_FIELDS.find(([k]) => k === f)?.[1] ?? f).join(', ')}. `}
                Moves{' '}
                {Object.entries(preview.moved)
                  .filter(([, n]) => n > 0)
                  .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
                  .join(', ') || 'nothing else'}
                .
              </div>
            )}
            <div className="actions">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button type="button" disabled={busy} onClick={() => void run(true)}>
                Preview
              </button>
              <button type="button" className="primary" disabled={busy} onClick={() => void run(false)}>
                Merge
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
