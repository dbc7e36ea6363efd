import { useState, type FormEvent } from 'react';
import { api, ApiError, download } from '../api';
import { Link } from '../router';
import { useInterval, useStatuses } from '../hooks';
import { ErrorNote, Field, SelectField } from '../components/ui';

// Lead fields a column can go to (the server's TARGET_FIELDS); any other column can become a custom field.
const TARGETS = [
  'first_name',
  'last_name',
  'full_name',
  'civility',
  'title',
  'job_title',
  'email',
  'phone',
  'mobile',
  'company_name',
  'website',
  'source',
  'status',
  'owner',
  'value',
  'currency',
  'probability',
  'rating',
  'priority',
  'importance',
  'description',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'postal_code',
  'country',
  'locale',
  'birth_date',
  'external_id',
  'expected_close_date',
  'tags',
  'created_at',
];
const label = (f: string) => f.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export interface ImportJob {
  id: number;
  status: string;
  file_name?: string;
  format?: string;
  encoding?: string | null;
  delimiter?: string | null;
  header?: string[];
  preview_rows?: string[][];
  rows?: string[][];
  suggested_mapping?: Record<string, string | null>;
  unmapped_columns?: { column: string; custom_field: string }[];
  suggested_null_values?: string[];
  errors_url?: string;
  counts?: { read: number; created: number; updated: number; skipped: number; failed: number };
  percent?: number | null;
  rate?: number | null;
  total_rows?: number | null;
  error?: string | null;
  [k: string]: unknown;
}

const DONE = new Set(['completed', 'failed', 'reverted']);

/** The custom field the server proposes for a column (or one derived from its name). */
function customTarget(job: ImportJob, column: string): string {
  const proposed = job.unmapped_columns?.find((u) => u.column === column)?.custom_field;
  const key =
    proposed ??
    column
      .replace(/[^A-Za-z0-9_]/g, '_')
      .replace(/^[^A-Za-z]+/, '')
      .slice(0, 64);
  return key.startsWith('custom_fields.') ? key : `custom_fields.${key}`;
}

export function ImportPage() {
  const statuses = useStatuses();
  const [file, setFile] = useState<File | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [dedupeOn, setDedupeOn] = useState<string[]>(['email']);
  const [policy, setPolicy] = useState('skip');
  const [defaults, setDefaults] = useState({ status: '', source: '', tags: '' });
  const [dryRun, setDryRun] = useState(false);
  const [useNulls, setUseNulls] = useState(true);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function upload(e: FormEvent) {
    e.preventDefault();
    if (!file) return setError(new ApiError(400, 'no_file', 'Choose a file first.'));
    setBusy(true);
    setError(null);
    try {
      const fd = new FormData();
      fd.append('file', file);
      const created = await api.post<ImportJob>('/imports', fd);
      const full = created.header ? created : await api.get<ImportJob>(`/imports/${created.id}`);
      setJob(full);
      const m: Record<string, string> = {};
      for (const col of full.header ?? []) m[col] = full.suggested_mapping?.[col] ?? '';
      setMapping(m);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  async function run(e: FormEvent) {
    e.preventDefault();
    if (!job) return;
    setError(null);
    const tags = defaults.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    try {
      const started = await api.post<ImportJob>(`/imports/${job.id}/run`, {
        mapping: Object.fromEntries(Object.entries(mapping).map(([c, f]) => [c, f || null])),
        dedupe: { on: dedupeOn, policy },
        defaults: {
          ...(defaults.status ? { status: defaults.status } : {}),
          ...(defaults.source ? { source: defaults.source } : {}),
          ...(tags.length ? { tags } : {}),
        },
        ...(useNulls && job.suggested_null_values?.length ? { null_values: job.suggested_null_values } : {}),
        dry_run: dryRun,
      });
      setJob({ ...job, ...started });
      setRunning(true);
    } catch (err) {
      setError(err as ApiError);
    }
  }

  // Polls while the job runs; the progress bar and counts update from what the server reports.
  useInterval(
    async () => {
      if (!job) return;
      try {
        const j = await api.get<ImportJob>(`/imports/${job.id}`);
        setJob(j);
        if (DONE.has(j.status)) setRunning(false);
      } catch (err) {
        setError(err as ApiError);
        setRunning(false);
      }
    },
    running ? 400 : null,
  );

  const rows = job?.preview_rows ?? job?.rows ?? [];
  const counts = job?.counts;
  const started = job && job.status !== 'uploaded';
  const fields = error?.fields ?? {};
  const percent = job?.status === 'completed' ? 100 : Math.round(job?.percent ?? 0);

  return (
    <section className="page import-page" aria-labelledby="import-h">
      <div className="page-head">
        <h1 id="import-h">Import leads</h1>
      </div>
      <ol className="steps" aria-label="Steps">
        <li aria-current={!job ? 'step' : undefined}>Upload</li>
        <li aria-current={job && !started ? 'step' : undefined}>Map columns</li>
        <li aria-current={started ? 'step' : undefined}>Import</li>
      </ol>
      {!job && (
        <form className="card stack" onSubmit={upload}>
          <div className="field">
            <label htmlFor="import-file">CSV, Excel (XLSX) or JSON file</label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.tsv,.txt,.xlsx,.json"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
            <small className="hint">
              Any delimiter or encoding; the format is detected from the content.
            </small>
          </div>
          <ErrorNote error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Upload and preview
            </button>
          </div>
        </form>
      )}
      {job && !started && (
        <form className="stack" onSubmit={run}>
          <div className="card">
            <h2>Preview of {job.file_name}</h2>
            <p className="muted" data-testid="detected">
              Detected: {job.format?.toUpperCase()}
              {job.encoding ? `, ${job.encoding}` : ''}
              {job.delimiter ? `, delimiter “${job.delimiter === '\t' ? 'tab' : job.delimiter}”` : ''},{' '}
              {job.header?.length ?? 0} columns
            </p>
            <div className="scroll-x">
              <table className="grid preview">
                <thead>
                  <tr>
                    {(job.header ?? []).map((h) => (
                      <th key={h} scope="col">
                        <div>{h}</div>
                        <label>
                          <span className="sr-only">Map column {h} to</span>
                          <select
                            value={mapping[h] ?? ''}
                            onChange={(e) => setMapping({ ...mapping, [h]: e.target.value })}
                          >
                            <option value="">Ignore</option>
                            {TARGETS.map((t) => (
                              <option key={t} value={t}>
                                {label(t)}
                              </option>
                            ))}
                            <option value={customTarget(job, h)}>Custom field “{h}”</option>
                          </select>
                        </label>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, 5).map((r, i) => (
                    <tr key={i}>
                      {(job.header ?? []).map((h, j) => (
                        <td key={h}>{r[j]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div className="card form-grid">
            <fieldset>
              <legend>Find duplicates by</legend>
              {['email', 'phone', 'external_id'].map((k) => (
                <label key={k} className="check-row">
                  <input
                    type="checkbox"
                    checked={dedupeOn.includes(k)}
                    onChange={(e) =>
                      setDedupeOn(e.target.checked ? [...dedupeOn, k] : dedupeOn.filter((x) => x !== k))
                    }
                  />
                  {label(k)}
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>When a duplicate is found</legend>
              {[
                ['skip', 'Skip the row'],
                ['update', 'Update the existing lead'],
                ['create', 'Create another lead'],
              ].map(([v, l]) => (
                <label key={v} className="check-row">
                  <input
                    type="radio"
                    name="policy"
                    value={v}
                    checked={policy === v}
                    onChange={() => setPolicy(v)}
                  />
                  {l}
                </label>
              ))}
            </fieldset>
            <SelectField
              label="Status for new leads"
              value={defaults.status}
              onChange={(e) => setDefaults({ ...defaults, status: e.target.value })}
              error={fields['defaults.status']}
            >
              <option value="">(default)</option>
              {statuses.list.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
            </SelectField>
            <Field
              label="Source for new leads"
              value={defaults.source}
              onChange={(e) => setDefaults({ ...defaults, source: e.target.value })}
              error={fields['defaults.source']}
            />
            <Field
              label="Tags (comma separated)"
              value={defaults.tags}
              onChange={(e) => setDefaults({ ...defaults, tags: e.target.value })}
              error={fields['defaults.tags']}
            />
            {(job.suggested_null_values?.length ?? 0) > 0 && (
              <label className="check-row">
                <input type="checkbox" checked={useNulls} onChange={(e) => setUseNulls(e.target.checked)} />
                Read {job.suggested_null_values!.map((v) => `“${v}”`).join(', ')} as empty
              </label>
            )}
            <label className="check-row">
              <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
              Dry run (check every row, write nothing)
            </label>
          </div>
          <ErrorNote error={error} />
          <div className="actions">
            <button type="button" onClick={() => setJob(null)}>
              Choose another file
            </button>
            <button type="submit" className="primary">
              Start import
            </button>
          </div>
        </form>
      )}
      {job && started && (
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
                    if (!window.confirm('Remove the leads this import created and restore what it updated?'))
                      return;
                    try {
                      setJob({ ...job, ...(await api.post<ImportJob>(`/imports/${job.id}/revert`)) });
                      setRunning(true);
                    } catch (err) {
                      setError(err as ApiError);
                    }
                  }}
                >
                  Undo this import
                </button>
              )}
              <button type="button" onClick={() => (setJob(null), setFile(null))}>
                Import another file
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
