import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type ReactNode,
  type InputHTMLAttributes,
  type SelectHTMLAttributes,
} from 'react';

/** A labelled input with its inline error (from the API's problem+json `errors`). */
export function Field({
  label,
  error,
  hint,
  ...input
}: { label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : hint ? `${id}-hint` : undefined}
        {...input}
      />
      {hint && !error && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export function SelectField({
  label,
  error,
  children,
  ...sel
}: { label: string; error?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={!!error} aria-describedby={error ? `${id}-err` : undefined} {...sel}>
        {children}
      </select>
      {error && (
        <small id={`${id}-err`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** A modal built on <dialog>: focus trap, Escape to close and the backdrop come from the browser. */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} onCancel={onClose}>
      <header className="dialog-head">
        <h2 id={id}>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="alert" role="alert">
      {(error as Error).message}
    </p>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}…
    </p>
  );
}

/**
 * A real confirmation dialog instead of window.confirm(): `ask(question)` opens it and resolves true when the
 * user confirms. Render `dialog` once in the component.
 */
export function useConfirm(confirmLabel = 'Delete') {
  const [pending, setPending] = useState<{ question: string; resolve: (ok: boolean) => void } | null>(null);
  const ask = useCallback(
    (question: string) => new Promise<boolean>((resolve) => setPending({ question, resolve })),
    [],
  );
  const finish = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  const dialog = (
    <Dialog title="Please confirm" open={!!pending} onClose={() => finish(false)}>
      <div className="stack">
        <p>{pending?.question}</p>
        <div className="actions">
          <button type="button" onClick={() => finish(false)}>
            Cancel
          </button>
          <button type="button" className="primary" autoFocus onClick={() => finish(true)}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
  return { ask, dialog };
}

/** Asks for one line of text in a dialog (instead of window.prompt()); resolves null when cancelled. */
export function usePrompt(label: string, submitLabel = 'Save') {
  const [pending, setPending] = useState<{ title: string; resolve: (v: string | null) => void } | null>(null);
  const [value, setValue] = useState('');
  const ask = useCallback((title: string) => {
    setValue('');
    return new Promise<string | null>((resolve) => setPending({ title, resolve }));
  }, []);
  const finish = (v: string | null) => {
    pending?.resolve(v);
    setPending(null);
  };
  const dialog = (
    <Dialog title={pending?.title ?? ''} open={!!pending} onClose={() => finish(null)}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) finish(value.trim());
        }}
      >
        <Field label={label} value={value} autoFocus onChange={(e) => setValue(e.target.value)} />
        <div className="actions">
          <button type="button" onClick={() => finish(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!value.trim()}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
  return { ask, dialog };
}

/** Copies a text to the clipboard and says so for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="copy"
      aria-live="polite"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => {
            setDone(true);
            setTimeout(() => setDone(false), 1500);
          },
          () => setDone(false),
        );
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}
