import { api, ApiError, download } from '../api';
import { Link } from '../router';
import { ErrorNote, useConfirm } from './ui';
import { DONE, label, type ImportJob } from './import-job';

/** The running (or finished) import: live progress bar, counts, error report, undo. */
export function ImportProgress({
  job,
  error,
  onReverted,
  onError,
  onReset,
}: {
  job: ImportJob;
  error: ApiError | null;
  onReverted: (j: ImportJob) => void;
  onError: (e: ApiError) => void;
  onReset: () => void;
}) {
  const confirm = useConfirm('Undo the import');
  const counts = job.counts;
  const percent = job.status === 'completed' ? 100 : Math.round(job.percent ?? 0);
  return (
    <div className="card stack" aria-live="polite">
      <h2>
        {job.file_name}: <span data-testid="import-status">{job.status}</span>
      </h2>
      <progress
        className="big"
        max={100}
        value={percent}
        aria-label="Import progress"
        aria-valuetext={`${percent}%`}
      />
      <p>
        {percent}%{job.rate ? ` · ${Math.round(job.rate).toLocaleString()} rows/s` : ''}
      </p>
      {counts && (
        <dl className="counts">
          {(['read', 'created', 'updated', 'skipped', 'failed'] as const).map((k) => (
            <div key={k} data-testid={`count-${k}`}>
              <dt>{label(k)}</dt>
              <dd>{counts[k].toLocaleString()}</dd>
            </div>
          ))}
        </dl>
      )}
      {job.error && <p className="alert">{job.error}</p>}
      <ErrorNote error={error} />
      {DONE.has(job.status) && (
        <div className="actions">
          {counts && counts.failed > 0 && (
            <a
              href={`/api/v1/imports/${job.id}/errors.csv`}
              onClick={(e) => {
                e.preventDefault();
                void download(`/imports/${job.id}/errors.csv`, `import-${job.id}-errors.csv`);
              }}
            >
              Download the error report
            </a>
          )}
          <Link to="/leads">See the leads</Link>
          {job.status === 'completed' && !job.dry_run && (
            <button
              type="button"
              onClick={async () => {
                if (!(await confirm.ask('Remove the leads this import created and restore what it updated?')))
                  return;
                try {
                  onReverted(await api.post<ImportJob>(`/imports/${job.id}/revert`));
                } catch (err) {
                  onError(err as ApiError);
                }
              }}
            >
              Undo this import
            </button>
          )}
          <button type="button" onClick={onReset}>
            Import another file
          </button>
        </div>
      )}
      {confirm.dialog}
    </div>
  );
}
