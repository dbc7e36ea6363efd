import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { plainFieldMessage } from '../messages';
import './inline.css';

export type InlineKind = 'text' | 'email' | 'tel' | 'url' | 'date' | 'number' | 'select' | 'textarea';

/** A link for values a person acts on: mail to an address, call a number, open a web address. */
export function valueLink(kind: InlineKind, value: string): ReactNode {
  if (!value) return null;
  if (kind === 'email') return <a href={`mailto:${value}`}>{value}</a>;
  if (kind === 'tel') return <a href={`tel:${value.replace(/[^\d+]/g, '')}`}>{value}</a>;
  if (kind === 'url') {
    const href = /^https?:\/\//i.test(value) ? value : `https://${value}`;
    return (
      <a href={href} target="_blank" rel="noreferrer noopener">
        {value}
      </a>
    );
  }
  return null;
}

/**
 * What the browser can tell before asking the server, in the same words as the server's refusals (the message
 * goes through the same table, messages.ts), so a typo costs no round trip.
 */
export function checkLocally(kind: InlineKind, field: string, v: string, required = false): string {
  if (!v)
    return required ? plainFieldMessage('validation', field, 'must NOT have fewer than 1 characters') : '';
  if (kind === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))
    return plainFieldMessage('validation', field, 'must match format "email"');
  if (kind === 'number' && Number.isNaN(Number(v.replace(/[\s,]/g, ''))))
    return plainFieldMessage('validation', field, 'must be number');
  return '';
}

/** The message to show under a field for a failed save: the API's field error in plain words, else the whole one. */
export function messageFor(e: unknown, field: string): string {
  if (e instanceof ApiError) {
    const own = e.errors.filter((x) => x.field === field || x.field.startsWith(`${field}.`));
    if (own.length) return own.map((x) => plainFieldMessage(e.code, field, x.message)).join(' ');
    if (e.errors.length) return e.errors.map((x) => plainFieldMessage(e.code, x.field, x.message)).join(' ');
    return e.message;
  }
  return (e as Error)?.message ?? 'Something went wrong.';
}

/**
 * Click-to-edit: the value reads as text (email, phone and web address as links); a click or Enter on it opens an
 * input; Enter or leaving the field saves only when the value changed, Escape puts it back. A refused save keeps
 * the input open with the server's reason in plain words under it (messages.ts), in one round.
 */
export function InlineField({
  label,
  field,
  value,
  kind = 'text',
  options,
  display,
  placeholder = 'Add',
  onSave,
  readOnly,
  required,
}: {
  label: string;
  /** The API field, for the error table. */
  field: string;
  value: string;
  kind?: InlineKind;
  options?: { value: string; label: string }[];
  /** How the value reads (defaults to the value, or the option's label). */
  display?: ReactNode;
  placeholder?: string;
  onSave: (v: string) => Promise<unknown>;
  readOnly?: boolean;
  /** Cannot be emptied (a lead's status, a company's name). */
  required?: boolean;
}) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const showRef = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  useEffect(() => {
    if (!editing) setDraft(value);
  }, [value, editing]);
  useEffect(() => {
    // Focus goes back to the value after an edit, so keyboard users keep their place.
    if (!editing && wasEditing.current) showRef.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  async function commit(v = draft) {
    if (busy) return;
    if (v.trim() === value.trim()) {
      setEditing(false);
      setError('');
      return;
    }
    const local = checkLocally(kind, field, v.trim(), required);
    if (local) {
      setError(local);
      return;
    }
    setBusy(true);
    try {
      await onSave(v.trim());
      setError('');
      setEditing(false);
    } catch (e) {
      setError(messageFor(e, field));
    } finally {
      setBusy(false);
    }
  }
  function cancel() {
    setDraft(value);
    setError('');
    setEditing(false);
  }

  const shown =
    display ??
    (kind === 'select'
      ? (options?.find((o) => o.value === value)?.label ?? value)
      : valueLink(kind, value)) ??
    value;
  const errId = `${id}-err`;
  const common = {
    id,
    'aria-invalid': !!error,
    'aria-describedby': error ? errId : undefined,
    disabled: busy,
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
      if (e.key === 'Enter' && kind !== 'textarea') {
        e.preventDefault();
        void commit();
      }
    },
  };

  return (
    <div className={`ifield${error ? ' has-error' : ''}`} data-field={field}>
      {editing ? (
        <>
          <label htmlFor={id} className="ifield-label">
            {label}
          </label>
          <div className="ifield-edit">
            {kind === 'select' ? (
              <select
                {...common}
                autoFocus
                value={draft}
                onChange={(e) => {
                  setDraft(e.target.value);
                  void commit(e.target.value);
                }}
                onBlur={() => !error && setEditing(false)}
              >
                <option value="">—</option>
                {options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : kind === 'textarea' ? (
              <textarea
                {...common}
                autoFocus
                rows={4}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
              />
            ) : (
              <input
                {...common}
                autoFocus
                type={kind === 'number' ? 'text' : kind}
                inputMode={kind === 'number' ? 'decimal' : undefined}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                onBlur={(e) => {
                  // Leaving for the Cancel button is not a save.
                  if ((e.relatedTarget as HTMLElement | null)?.dataset?.cancel) return;
                  void commit();
                }}
              />
            )}
            {kind !== 'select' && (
              <span className="ifield-buttons">
                <button type="button" className="small primary" onClick={() => void commit()} disabled={busy}>
                  Save
                </button>
                <button type="button" className="small" data-cancel="1" onClick={cancel}>
                  Cancel
                </button>
              </span>
            )}
          </div>
          {error && (
            <small id={errId} className="error" role="alert">
              {error}
            </small>
          )}
        </>
      ) : (
        <>
          <span className="ifield-label" id={`${id}-l`}>
            {label}
          </span>
          <div className="ifield-show">
            {kind === 'email' || kind === 'tel' || kind === 'url' ? (
              <>
                {value ? shown : <span className="muted">{placeholder}</span>}
                {!readOnly && (
                  <button
                    ref={showRef}
                    type="button"
                    className="ifield-pen"
                    aria-label={`Edit ${label.toLowerCase()}`}
                    onClick={() => setEditing(true)}
                  >
                    ✎
                  </button>
                )}
              </>
            ) : readOnly ? (
              <span>{value ? shown : '—'}</span>
            ) : (
              <button
                ref={showRef}
                type="button"
                className="ifield-value"
                aria-labelledby={`${id}-l ${id}-v`}
                onClick={() => setEditing(true)}
              >
                <span id={`${id}-v`}>{value ? shown : <span className="muted">{placeholder}</span>}</span>
                <span className="ifield-hint" aria-hidden="true">
                  ✎
                </span>
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
