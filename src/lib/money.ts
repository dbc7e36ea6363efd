/** Money is integer minor units (2 decimals) in storage and a decimal string in every API. */
const DECIMAL = /^-?\d{1,13}(\.\d{1,2})?$/;

export function parseMoney(raw: string | number): number | null {
  const s = typeof raw === 'number' ? (Number.isFinite(raw) ? String(raw) : '') : raw.trim();
  if (!DECIMAL.test(s)) return null;
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const cents = Number(int) * 100 + Number(frac.padEnd(2, '0'));
  return neg ? -cents : cents;
}

export function formatMoney(cents: number | null): string | null {
  if (cents === null || cents === undefined) return null;
  const neg = cents < 0;
  const abs = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
