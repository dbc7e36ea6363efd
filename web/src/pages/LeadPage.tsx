import { useState } from 'react';
import { api } from '../api';
import { Link, navigate } from '../router';
import { leadName, useApi, useCustomFields, useReasons, useStatuses, useUsers } from '../hooks';
import type { Lead } from '../types';
import { changeStatus, StatusDialog } from '../components/status';
import { ErrorNote, useConfirm } from '../components/ui';
import { LeadFields } from '../components/LeadFields';
import { showToast } from '../components/Toasts';
import { Skeleton } from '../accounts/common';
import { Activity } from '../components/Activity';
import { Convert } from '../components/Convert';
import { LeadPeople } from '../components/LeadPeople';
import { LeadContactPoints } from '../components/LeadContactPoints';
import { LeadItems } from '../components/LeadItems';
import { ScorePanel } from '../scoring/ScorePanel';
import { DuplicateNotice } from '../duplicates/DuplicateNotice';

export function LeadPage({ id }: { id: number }) {
  // Set while deleting: the page lets go of the lead first, so the delete's cache refresh does not ask for it (404).
  const [gone, setGone] = useState(false);
  const lead = useApi<Lead>(gone ? null : `/leads/${id}`);
  const confirm = useConfirm();
  const statuses = useStatuses();
  const reasons = useReasons();
  const users = useUsers();
  const cfs = useCustomFields();
  const [moving, setMoving] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const l = lead.data;

  if (lead.error) return <ErrorNote error={lead.error} />;
  if (!l)
    return (
      <section className="page">
        <Skeleton lines={10} label="Loading the lead" />
      </section>
    );
  const status = statuses.list.find((s) => s.key === l.status);

  return (
    <section className="page lead-page" aria-labelledby="lead-h">
      <p className="crumbs">
        <Link to="/leads">Leads</Link> / #{l.id}
      </p>
      <div className="page-head">
        <h1 id="lead-h">{leadName(l)}</h1>
        <span className={`pill cat-${l.status_category}`}>
          {status?.label ?? l.status}
          {l.sub_status ? ` · ${l.sub_status}` : ''}
        </span>
        {statuses.list.length > 0 && (
          <label className="inline">
            <span className="sr-only">Change status</span>
            <select value="" onChange={(e) => setMoving(e.target.value || null)}>
              <option value="">Change status…</option>
              {statuses.list
                .filter((s) => s.key !== l.status)
                .map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
            </select>
          </label>
        )}
        <button
          type="button"
          className="danger"
          onClick={async () => {
            // No question first: the delete is soft, and the toast brings the lead back in one click.
            const name = leadName(l);
            setGone(true);
            await api.del(`/leads/${id}`);
            navigate('/leads');
            showToast({
              message: `${name} deleted.`,
              actionLabel: 'Undo',
              action: async () => {
                await api.post(`/leads/${id}/restore`);
                navigate(`/leads/${id}`);
              },
            });
          }}
        >
          Delete
        </button>
      </div>
      <DuplicateNotice lead={l} onChange={lead.reload} />
      <div className="lead-grid">
        <LeadFields
          lead={l}
          users={users.list}
          customFields={cfs.list}
          onSaved={() => {
            lead.reload();
            setTick((t) => t + 1);
          }}
        />
        <div className="side">
          <ScorePanel lead={l} />
          <Convert lead={l} onDone={() => lead.reload()} />
          <LeadPeople lead={l} users={users.list} onChange={() => lead.reload()} />
          <LeadContactPoints lead={l} onChange={() => lead.reload()} />
          <LeadItems lead={l} onChange={() => lead.reload()} />
          <Activity
            leadId={id}
            refresh={tick}
            onChange={() => lead.reload()}
            nextFollowUp={l.next_follow_up_at}
            names={{
              status: (k) => statuses.list.find((s) => s.key === k)?.label ?? k,
              statusById: (sid) => statuses.list.find((s) => s.id === sid)?.label,
              user: (uid) => users.list.find((u) => u.id === uid)?.name ?? `user #${uid}`,
            }}
          />
        </div>
      </div>
      <StatusDialog
        target={moving ? (statuses.list.find((s) => s.key === moving) ?? null) : null}
        statuses={statuses.list}
        reasons={reasons.list}
        onCancel={() => setMoving(null)}
        onApply={async (c) => {
          await changeStatus(id, c);
          setMoving(null);
          lead.reload();
          setTick((t) => t + 1);
        }}
      />
      {confirm.dialog}
    </section>
  );
}
