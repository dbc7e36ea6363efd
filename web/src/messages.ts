// One table from an API error (problem `code`, field, message) to a sentence a sales person reads. The API speaks
// JSON Schema and developer language ("must NOT have fewer than 1 characters"); the app shows these instead.
// First matching row wins; a message no row matches is shown as the API wrote it.

interface Rule {
  code?: string;
  field?: RegExp;
  message: RegExp;
  say: (label: string, m: RegExpMatchArray) => string;
}

const RULES: Rule[] = [
  // Codes first: "at most 2 characters" says less than what a country field wants.
  {
    field: /currency/i,
    message: /must match pattern|more than|fewer than|currency/i,
    say: () => 'Currency needs a three-letter code such as EUR or USD.',
  },
  {
    field: /country/i,
    message: /must match pattern|more than|fewer than|country|ISO/i,
    say: () => 'Country needs a two-letter code such as FR or US.',
  },
  {
    message: /fewer than 1 characters|must not be empty|is required$|must have required property/i,
    say: (l) => `${l} cannot be empty.`,
  },
  { message: /more than (\d+) characters/i, say: (l, m) => `${l} is too long: at most ${m[1]} characters.` },
  {
    message: /fewer than (\d+) characters/i,
    say: (l, m) => `${l} is too short: at least ${m[1]} characters.`,
  },
  {
    field: /email/i,
    message: /format "email"|not a valid email|email/i,
    say: () => 'Enter an email address such as name@example.com.',
  },
  {
    field: /phone|mobile|number/i,
    message: /phone|number/i,
    say: () => 'Enter a phone number such as +1 415 555 0100.',
  },
  { message: /format "(date-time|date)"|not a valid date|invalid date/i, say: (l) => `${l} needs a date.` },
  {
    message: /format "uri"|not a valid url/i,
    say: (l) => `${l} needs a web address starting with https://.`,
  },
  { message: /must be integer/i, say: (l) => `${l} needs a whole number.` },
  { message: /must be number|not a number/i, say: (l) => `${l} needs a number.` },
  { message: /must be >= (\S+)/i, say: (l, m) => `${l} must be at least ${m[1]}.` },
  { message: /must be <= (\S+)/i, say: (l, m) => `${l} must be at most ${m[1]}.` },
  {
    message: /must be equal to one of the allowed values|must be one of/i,
    say: (l) => `Pick one of the offered values for ${l.toLowerCase()}.`,
  },
  {
    message: /must match pattern/i,
    say: (l) => `${l} has characters it cannot hold: use lowercase letters, digits and _.`,
  },
  {
    field: /reason/i,
    message: /required to enter|needs a reason/i,
    say: () => 'Pick a reason for this status.',
  },
  { field: /sub_status/i, message: /required|needs/i, say: () => 'Pick a sub-status for this status.' },
  {
    code: 'conflict',
    message: /already|exists|taken|duplicate|unique/i,
    say: (l) => `${l} is already used: pick another.`,
  },
  {
    message: /already (exists|used|taken)|must be unique|duplicate/i,
    say: (l) => `${l} is already used: pick another.`,
  },
  {
    message: /unknown|does not exist|not found/i,
    say: (l) => `${l} names something that no longer exists: pick again.`,
  },
];

const WHOLE: Array<{ code: string; status?: number; say: string }> = [
  { code: 'network', say: 'The server cannot be reached. Check your connection and try again.' },
  {
    code: 'precondition_failed',
    say: 'Someone changed this a moment ago. Reload to see their change, then try again.',
  },
];

/** "first_name" -> "First name", "address.postal_code" -> "Postal code". */
export function fieldLabel(field: string): string {
  const last = field.split(/[./]/).filter(Boolean).pop() ?? field;
  const words = last.replace(/_id$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The sentence for one field error. */
export function plainFieldMessage(code: string, field: string, message: string): string {
  const label = fieldLabel(field);
  for (const r of RULES) {
    if (r.code && r.code !== code) continue;
    if (r.field && !r.field.test(field)) continue;
    const m = message.match(r.message);
    if (m) return r.say(label, m);
  }
  return message;
}

/** The sentence for an error as a whole (no field). */
export function plainMessage(code: string, message: string): string {
  return WHOLE.find((w) => w.code === code)?.say ?? message;
}
