import { api } from '../api';
import { formatDate, formatDateTime, formatMoney } from '../hooks';
import type { CustomField, Lead, User } from '../types';
import { InlineField, type InlineKind } from './InlineField';

const FIELDS: { key: string; label: string; kind?: InlineKind }[] = [
  { key: 'first_name', label: 'First name' },
  { key: 'last_name', label: 'Last name' },
  { key: 'email', label: 'Email', kind: 'email' },
  { key: 'phone', label: 'Phone', kind: 'tel' },
  { key: 'mobile', label: 'Mobile', kind: 'tel' },
  { key: 'company_name', label: 'Company' },
  { key: 'job_title', label: 'Job title' },
  { key: 'website', label: 'Website', kind: 'url' },
  { key: 'source', label: 'Source' },
  { key: 'value', label: 'Value', kind: 'number' },
  { key: 'currency', label: 'Currency' },
  { key: 'probability', label: 'Probability %', kind: 'number' },
  { key: 'expected_close_date', label: 'Expected close', kind: 'date' },
  { key: 'address.city', label: 'City' },
  { key: 'address.country', label: 'Country (ISO code)' },
  { key: 'tags', label: 'Tags (comma separated)' },
];

function current(l: Lead, key: string): string {
  const v = key.startsWith('address.')
    ? l.address[key.slice(8) as keyof Lead['address']]
    : key === 'tags'
      ? l.tags.join(', ')
      : key.startsWith('custom_fields.')
        ? l.custom_fields[key.slice(14)]
        : l[key];
  return v === null || v === undefined ? '' : String(v);
}

/** One edited field as a PATCH body, in the API's shape ("" clears it: null). */
export function fieldPatch(key: string, raw: string, cfs: CustomField[]): Record<string, unknown> {
  const v = raw === '' ? null : raw;
  if (key.startsWith('address.')) return { address: { [key.slice(8)]: v } };
  if (key.startsWith('custom_fields.')) {
    const cf = cfs.find((c) => c.key === key.slice(14));
    const typed =
      v === null
        ? null
        : cf?.type === 'number' && !Number.isNaN(Number(v))
          ? Number(v)
          : cf?.type === 'boolean'
            ? v === 'true'
            : v;
    return { custom_fields: { [key.slice(14)]: typed } };
  }
  if (key === 'tags')
    return {
      tags: raw
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    };
  if (key === 'probability' || key === 'owner_id')
    return { [key]: v === null ? null : Number.isNaN(Number(v)) ? v : Number(v) };
  return { [key]: v };
}

/**
 * The lead's fields, each edited where it reads (InlineField): a save sends that one field with the lead's
 * version in If-Match, so an edit made meanwhile by someone else is refused in words instead of overwritten.
 */
export function LeadFields({
  lead,
  users,
  customFields,
  onSaved,
}: {
  lead: Lead;
  users: User[];
  customFields: CustomField[];
  onSaved: () => void;
}) {
  const save = (key: string) => async (v: string) => {
    await api.patch(`/leads/${lead.id}`, fieldPatch(key, v, customFields), {
      'if-match': `"${lead.id}-${lead.version}"`,
    });
    onSaved();
  };
  const display = (key: string, v: string) =>
    key === 'value'
      ? formatMoney(v, lead.currency)
      : key === 'expected_close_date'
        ? formatDate(v)
        : undefined;
  return (
    <section className="card" aria-label="Lead details">
      <div className="ifield-grid">
        {FIELDS.map((f) => {
          const v = current(lead, f.key);
          return (
            <InlineField
              key={f.key}
              field={f.key}
              label={f.label}
              kind={f.kind}
              value={v}
              display={v ? display(f.key, v) : undefined}
              onSave={save(f.key)}
            />
          );
        })}
        <InlineField
          field="owner_id"
          label="Owner"
          kind="select"
          options={users.map((u) => ({ value: String(u.id), label: u.name }))}
          value={lead.owner_id ? String(lead.owner_id) : ''}
          placeholder="Nobody"
          onSave={save('owner_id')}
        />
        {customFields.map((cf) => (
          <InlineField
            key={cf.key}
            field={`custom_fields.${cf.key}`}
            label={cf.label}
            kind={
              cf.type === 'enum' || cf.type === 'boolean'
                ? 'select'
                : cf.type === 'date'
                  ? 'date'
                  : cf.type === 'number'
                    ? 'number'
                    : 'text'
            }
            options={
              cf.type === 'boolean'
                ? [
                    { value: 'true', label: 'Yes' },
                    { value: 'false', label: 'No' },
                  ]
                : (cf.options ?? []).map((o) => ({ value: o, label: o }))
            }
            value={current(lead, `custom_fields.${cf.key}`)}
            onSave={save(`custom_fields.${cf.key}`)}
          />
        ))}
        <div className="span-2">
          <InlineField
            field="description"
            label="Description"
            kind="textarea"
            value={lead.description ?? ''}
            onSave={save('description')}
          />
        </div>
      </div>
      <p className="muted" role="status">
        Click a value to change it; Enter saves, Escape puts it back. Updated{' '}
        {formatDateTime(lead.updated_at)}.
      </p>
    </section>
  );
}
