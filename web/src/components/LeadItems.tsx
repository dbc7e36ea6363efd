import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import type { Lead, LeadItem } from '../types';
import { Field, SelectField } from './ui';

const TYPES: [string, string][] = [
  ['vehicle', 'Vehicle'],
  ['product', 'Product'],
  ['service', 'Service'],
  ['physical_good', 'Physical good'],
  ['subscription', 'Subscription'],
  ['competitor', 'Competitor'],
];

/** One line per item: a vehicle by year, make, model and VIN; others by name, quantity and price. */
export function describeItem(it: LeadItem): string {
  if (it.vehicle) {
    const v = it.vehicle;
    const car =
      [v.year, v.make, v.model, v.trim].filter((x) => x !== null && x !== '').join(' ') || 'Vehicle';
    return [car, v.intent ? `(${v.intent})` : '', v.vin ? `VIN ${v.vin}` : ''].filter(Boolean).join(' ');
  }
  const qty = it.quantity ? `${it.quantity} × ` : '';
  const price = it.price ? ` at ${it.price}${it.currency ? ` ${it.currency}` : ''}` : '';
  return `${qty}${it.name ?? it.catalog_ref ?? it.type}${price}`;
}

export function LeadItems({ lead, onChange }: { lead: Lead; onChange: () => void }) {
  const [type, setType] = useState('vehicle');
  const [f, setF] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const set = (k: string) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const val = (k: string) => (f[k]?.trim() ? f[k].trim() : undefined);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const body =
      type === 'vehicle'
        ? {
            type,
            vehicle: {
              intent: val('intent') ?? 'wanted',
              make: val('make'),
              model: val('model'),
              year: val('year') ? Number(val('year')) : undefined,
              vin: val('vin'),
            },
          }
        : {
            type,
            name: val('name'),
            catalog_ref: val('catalog_ref'),
            quantity: val('quantity'),
            price: val('price'),
          };
    try {
      await api.post(`/leads/${lead.id}/items`, body);
      setF({});
      onChange();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  const fe = error?.fields ?? {};

  return (
    <section className="card" aria-labelledby="items-h">
      <h2 id="items-h">Items</h2>
      {(lead.items ?? []).length === 0 ? (
        <p className="muted">No vehicle, product or competitor yet.</p>
      ) : (
        <ul className="plain-list" aria-label="Items of the lead">
          {(lead.items ?? []).map((it) => (
            <li key={it.id}>
              <span className="pill">{TYPES.find(([k]) => k === it.type)?.[1] ?? it.type}</span>{' '}
              {describeItem(it)}
              <button
                type="button"
                className="link"
                aria-label={`Remove item ${describeItem(it)}`}
                onClick={async () => {
                  await api.del(`/leads/${lead.id}/items/${it.id}`);
                  onChange();
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form parts-form" onSubmit={add} aria-label="Add an item">
        <SelectField label="Item type" value={type} onChange={(e) => setType(e.target.value)} error={fe.type}>
          {TYPES.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </SelectField>
        {type === 'vehicle' ? (
          <>
            <SelectField label="Wanted or trade-in" value={f.intent ?? 'wanted'} onChange={set('intent')}>
              <option value="wanted">Wanted</option>
              <option value="exchange">Trade-in</option>
            </SelectField>
            <Field label="Make" value={f.make ?? ''} onChange={set('make')} error={fe['vehicle.make']} />
            <Field label="Model" value={f.model ?? ''} onChange={set('model')} error={fe['vehicle.model']} />
            <Field
              label="Year"
              inputMode="numeric"
              value={f.year ?? ''}
              onChange={set('year')}
              error={fe['vehicle.year']}
            />
            <Field label="VIN" value={f.vin ?? ''} onChange={set('vin')} error={fe['vehicle.vin']} />
          </>
        ) : (
          <>
            <Field label="Name" value={f.name ?? ''} onChange={set('name')} error={fe.name} />
            {type !== 'competitor' && (
              <>
                <Field
                  label="Catalog reference"
                  value={f.catalog_ref ?? ''}
                  onChange={set('catalog_ref')}
                  error={fe.catalog_ref}
                />
                <Field
                  label="Quantity"
                  value={f.quantity ?? ''}
                  onChange={set('quantity')}
                  error={fe.quantity}
                />
                <Field label="Price" value={f.price ?? ''} onChange={set('price')} error={fe.price} />
              </>
            )}
          </>
        )}
        <button type="submit">Add item</button>
      </form>
    </section>
  );
}
