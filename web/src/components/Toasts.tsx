import { useEffect, useState, useSyncExternalStore } from 'react';
import './inline.css';

interface Toast {
  id: number;
  message: string;
  actionLabel?: string;
  action?: () => Promise<unknown> | void;
}

// One small store for the whole app: any screen calls showToast(), the shell renders <Toasts /> once.
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function showToast(t: Omit<Toast, 'id'>) {
  toasts = [...toasts, { ...t, id: nextId++ }];
  emit();
}
const dismiss = (id: number) => {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
};

/** A deleted lead, company, contact or opportunity can be brought back for ten seconds from the toast (restore). */
export function Toasts() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite">
      {list.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), 10_000);
    return () => clearTimeout(timer);
  }, [toast.id]);
  return (
    <div className="toast">
      <span>{toast.message}</span>
      {toast.action && (
        <button
          type="button"
          className="small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await toast.action!();
            } finally {
              dismiss(toast.id);
            }
          }}
        >
          {toast.actionLabel ?? 'Undo'}
        </button>
      )}
      <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
