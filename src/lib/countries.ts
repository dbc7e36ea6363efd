// ISO 3166-1 alpha-2 codes: every region name the runtime knows, less the reserved, withdrawn and
// grouping codes (plus XK, Kosovo, which is user-assigned but in common use).
const NOT_COUNTRIES = new Set(
  'AC AN BU CP CQ CS DD DG DY EA EU EZ FX HV IC NH QO RH SU TA TP UK UN VD XA XB YD YU ZR ZZ'.split(' '),
);
const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

export const COUNTRY_CODES: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (let a = 65; a < 91; a++)
    for (let b = 65; b < 91; b++) {
      const c = String.fromCharCode(a, b);
      if (!NOT_COUNTRIES.has(c) && names.of(c)) out.add(c);
    }
  return out;
})();

/** Returns the upper-case ISO-2 code, or null if `raw` is not one. */
export function normalizeCountry(raw: string): string | null {
  const c = raw.trim().toUpperCase();
  return COUNTRY_CODES.has(c) ? c : null;
}
