import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useInterval, useStatuses } from '../hooks';
import { ErrorNote, Field, SelectField } from '../components/ui';
import { ImportProgress } from '../components/ImportProgress';
import { customTarget, DONE, label, TARGETS, type ImportJob } from '../components/import-job';

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
  const started = job && job.status !== 'uploaded';
  const fields = error?.fields ?? {};

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
        <ImportProgress
          job={job}
          error={error}
          onReverted={(j) => {
            setJob({ ...job, ...j });
            setRunning(true);
          }}
          onError={setError}
          onReset={() => (setJob(null), setFile(null))}
        />
      )}
    </section>
  );
}
