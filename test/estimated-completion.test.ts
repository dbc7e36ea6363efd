import { describe, expect, it } from 'vitest';
import { completionDate, estimateFor } from '../src/catalogs/estimated-completion.js';

const at = (s: string) => Date.parse(s);

describe('completion dates across units and month ends', () => {
  it('clamps months and years to the last day of the month', () => {
    expect(completionDate({ value: 1, unit: 'months' }, at('2027-01-31T12:00:00Z'), null)).toBe('2027-02-28');
    expect(completionDate({ value: 1, unit: 'months' }, at('2028-01-31T12:00:00Z'), null)).toBe('2028-02-29');
    expect(completionDate({ value: 1, unit: 'years' }, at('2028-02-29T12:00:00Z'), null)).toBe('2029-02-28');
    expect(completionDate({ value: 13, unit: 'months' }, at('2026-12-15T00:00:00Z'), null)).toBe(
      '2028-01-15',
    );
  });
  it('counts minutes and hours in the organization zone', () => {
    // 23:30 in Paris on 31 Dec is 22:30 UTC: 45 minutes later it is 1 January in Paris.
    expect(completionDate({ value: 45, unit: 'minutes' }, at('2026-12-31T22:30:00Z'), 'Europe/Paris')).toBe(
      '2027-01-01',
    );
    expect(completionDate({ value: 45, unit: 'minutes' }, at('2026-12-31T22:30:00Z'), null)).toBe(
      '2026-12-31',
    );
    expect(completionDate({ value: 26, unit: 'hours' }, at('2026-03-01T00:00:00Z'), null)).toBe('2026-03-02');
  });
  it('derives the largest whole unit from a date', () => {
    const from = at('2027-01-31T09:00:00Z');
    expect(estimateFor('2027-02-28', from, null)).toEqual({ value: 1, unit: 'months' });
    expect(estimateFor('2029-01-31', from, null)).toEqual({ value: 2, unit: 'years' });
    expect(estimateFor('2027-02-14', from, null)).toEqual({ value: 2, unit: 'weeks' });
    expect(estimateFor('2027-02-03', from, null)).toEqual({ value: 3, unit: 'days' });
    expect(estimateFor('2027-01-30', from, null)).toEqual({ value: -1, unit: 'days' });
  });
});
