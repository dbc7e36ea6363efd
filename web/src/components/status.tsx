import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import type { Reason, Status, SubStatus } from '../types';
import { Dialog, SelectField, Field } from './ui';

export interface StatusChange {
  status: string;
  sub_status?: string;
  reason_id?: number;
  note?: string;
}

/** Changes a lead's status through POST /leads/:id/status (which records history and checks reasons). */
export async function changeStatus(leadId: number, change: StatusChange): Promise<void> {
  await api.post(`/leads/${leadId}/status`, change);
}

export const subValue = (s: SubStatus) => s.key ?? s.name ?? String(s.id);
export const reasonLabel = (r: Reason) => r.label ?? r.text ?? `Reason ${r.id}`;

/** Whether moving into this status needs the dialog (a reason or a sub-status to pick). */
export function needsDialog(s: Status | undefined): boolean {
  return !!s && (!!s.reason_required || (s.sub_statuses?.length ?? 0) > 0);
}

export function reasonsFor(reasons: Reason[], status: Status | undefined): Reason[] {
  if (!status) return [];
  return reasons.filter((r) => {
    const cats = (r.categories ?? (r as { category?: string | null }).category ?? null) as
      string[] | string | null;
    if (!cats || (Array.isArray(cats) && cats.length === 0)) return true;
    return Array.isArray(cats) ? cats.includes(status.category) : cats === status.category;
  });
}

/** Asks for the reason / sub-status / note a status change needs, then applies it to one or more leads. */
export function StatusDialog({
  target,
  statuses,
  reasons,
  onCancel,
  onApply,
  title,
}: {
  target: Status | null;
  statuses: Status[];
  reasons: Reason[];
  title?: string;
  onCancel: () => void;
  onApply: (change: StatusChange) => Promise<void>;
}) {
  const [statusKey, setStatusKey] = useState(target?.key ?? '');
  const [subStatus, setSubStatus] = useState('');
  const [reasonId, setReasonId] = useState('');
  const [note, setNote] = useState('');
  const [subs, setSubs] = useState<SubStatus[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const status = statuses.find((s) => s.key === statusKey);

  useEffect(() => {
    setStatusKey(target?.key ?? '');
    setSubStatus('');
    setReasonId('');
    setNote('');
    setError(null);
  }, [target]);

  useEffect(() => {
    if (!status) return setSubs([]);
    if (status.sub_statuses)
      return setSubs(status.sub_statuses.map((x) => (typeof x === 'string' ? { name: x } : x)));
    let live = true;
    api
      .get<SubStatus[] | { data: SubStatus[] }>(`/statuses/${encodeURIComponent(status.key)}/sub-statuses`)
      .then(
        (r) => live && setSubs(Array.isArray(r) ? r : r.data),
        () => live && setSubs([]),
      );
    return () => {
      live = false;
    };
  }, [status]);

  const options = reasonsFor(reasons, status);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onApply({
        status: statusKey,
        ...(subStatus ? { sub_status: subStatus } : {}),
        ...(reasonId ? { reason_id: Number(reasonId) } : {}),
        ...(note ? { note } : {}),
      });
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  const fields = error?.fields ?? {};
  return (
    <Dialog title={title ?? `Move to ${status?.label ?? 'status'}`} open={!!target} onClose={onCancel}>
      <form onSubmit={submit} className="stack" noValidate>
        <SelectField
          label="Status"
          value={statusKey}
          onChange={(e) => setStatusKey(e.target.value)}
          error={fields.status}
        >
          {statuses.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </SelectField>
        {subs.length > 0 && (
          <SelectField
            label="Sub-status"
            value={subStatus}
            onChange={(e) => setSubStatus(e.target.value)}
            error={fields.sub_status}
          >
            <option value="">(none)</option>
            {subs.map((s) => (
              <option key={subValue(s)} value={subValue(s)}>
                {s.label ?? s.name ?? s.key}
              </option>
            ))}
          </SelectField>
        )}
        {(status?.reason_required || options.length > 0) && (
          <SelectField
            label={status?.reason_required ? 'Reason (required)' : 'Reason'}
            value={reasonId}
            onChange={(e) => setReasonId(e.target.value)}
            error={fields.reason_id}
            required={status?.reason_required}
          >
            <option value="">Choose a reason…</option>
            {options.map((r) => (
              <option key={r.id} value={r.id}>
                {reasonLabel(r)}
              </option>
            ))}
          </SelectField>
        )}
        <Field label="Note" value={note} onChange={(e) => setNote(e.target.value)} error={fields.note} />
        {error && !error.errors.length && (
          <p className="alert" role="alert">
            {error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !statusKey}>
            Move
          </button>
        </div>
      </form>
    </Dialog>
  );
}
