/**
 * Deterministic synthetic leads for the benchmark: the same seed gives the same database on SQLite and
 * PostgreSQL, so the two runs measure the same work.
 */

/** Small, fast PRNG (mulberry32): Math.random would make runs incomparable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}
export type Rng = ReturnType<typeof rng>;

// prettier-ignore
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Donald',
  'Hedy', 'John', 'Katherine', 'Tim', 'Sophie', 'Lucas', 'Emma', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Gabriel', 'Inès',
  'Jules', 'Manon', 'Arthur', 'Camille', 'Noah', 'Sara', 'Omar', 'Yuki', 'Wei', 'Priya', 'Ravi', 'Fatima', 'Youssef',
  'Olga', 'Ivan', 'Mateo', 'Lucía', 'Diego', 'Valentina', 'Pedro', 'Ana', 'Jonas', 'Lena', 'Finn', 'Mia', 'Aoife',
  'Seán', 'Zeynep', 'Mehmet', 'Chen', 'Li', 'Kwame', 'Amara', 'Nia', 'Tariq',
];
// prettier-ignore
export const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra',
  'Perlman', 'Knuth', 'Lamarr', 'McCarthy', 'Johnson', 'Berners', 'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert',
  'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David',
  'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'Andre', 'Mercier', 'Müller', 'Schmidt', 'Schneider',
  'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Smith', 'Jones', 'Williams', 'Brown',
  'Taylor', 'Davies', 'Evans', 'Wilson', 'Roberts', 'Walker', 'Wright', 'Robinson', 'Rossi', 'Russo', 'Ferrari',
  'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'González', 'Rodríguez', 'Fernández', 'López', 'Martínez',
  'Sánchez', 'Pérez', 'Gómez', 'Díaz', 'Moreno', 'Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira',
  'Kowalski', 'Nowak', 'Wiśniewski', 'Novák', 'Svoboda', 'Yılmaz', 'Kaya', 'Demir', 'Sato', 'Suzuki', 'Takahashi',
  'Tanaka', 'Watanabe', 'Wang', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Kumar', 'Singh', 'Sharma', 'Patel', 'Khan',
  'Nguyen', 'Tran', 'Le', 'Pham', 'Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Okafor', 'Mensah', 'Diallo', 'Traoré',
  'Haddad', 'Nasser', 'Cohen', 'Levi', 'Ivanov', 'Petrov', 'Sokolov', 'Andersson', 'Johansson', 'Karlsson',
  'Nielsen', 'Jensen', 'Hansen', 'Virtanen', 'Korhonen', 'Murphy', 'Kelly', "O'Brien", 'Walsh', 'Byrne', 'Ryan',
];
// prettier-ignore
const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne',
  'Soylent', 'Aperture', 'Gringotts', 'Monarch', 'Oscorp', 'Pied', 'Piper', 'Dunder', 'Mifflin', 'Nakatomi',
  'Massive', 'Dynamic', 'Blue', 'Sun', 'Orbit', 'Atlas', 'Nova', 'Zenith', 'Summit', 'Harbor', 'Granite', 'Cedar',
  'Falcon', 'Vertex', 'Quantum', 'Lumen', 'Boreal', 'Pioneer', 'Keystone',
];
// prettier-ignore
const COMPANY_SUFFIX = ['SA', 'SAS', 'GmbH', 'Ltd', 'Inc', 'BV', 'SpA', 'AB', 'Oy', 'LLC', 'Group', 'Labs'];
// prettier-ignore
const JOB_TITLES = ['CEO', 'CTO', 'Head of Sales', 'Buyer', 'Office manager', 'Engineer', 'Marketing lead', 'Founder', 'Consultant', 'Director'];
// prettier-ignore
const SUBJECTS = ['Website redesign', 'ERP migration', 'Solar panels', 'Office cleaning', 'Fleet leasing', 'Training', 'Audit', 'Support contract', 'New roof', 'Insurance'];
// prettier-ignore
export const SOURCES = ['web', 'phone', 'referral', 'partner', 'trade_show', 'email', 'import', 'ads'];
// prettier-ignore
const COUNTRIES = ['FR', 'DE', 'GB', 'US', 'ES', 'IT', 'BE', 'NL', 'CH', 'CA'];
// prettier-ignore
const CITIES = ['Paris', 'Lyon', 'Berlin', 'London', 'Madrid', 'Rome', 'Brussels', 'Amsterdam', 'Geneva', 'Montréal'];
// prettier-ignore
export const TAGS = ['vip', 'hot', 'cold', 'newsletter', 'b2b', 'b2c', 'partner', 'event-2025', 'callback', 'priority', 'eu', 'us', 'retail', 'saas', 'public-sector', 'referral', 'upsell', 'churn-risk', 'trial', 'demo'];

/** Status keys of the default pipeline with the share of leads each gets (sums to 100). */
// prettier-ignore
export const STATUS_WEIGHTS: Array<[string, number]> = [
  ['new', 25], ['assigned', 10], ['in_process', 15], ['qualified', 10], ['proposal', 5], ['negotiation', 3],
  ['recycled', 2], ['on_hold', 3], ['won', 7], ['lost', 10], ['converted', 3], ['closed', 3], ['duplicate', 2],
  ['invalid', 2],
];

const statusCumulative = (() => {
  let acc = 0;
  return STATUS_WEIGHTS.map(([k, w]) => [k, (acc += w)] as const);
})();

export function pickStatusKey(r: Rng): string {
  const x = r.next() * 100;
  for (const [k, c] of statusCumulative) if (x < c) return k;
  return 'new';
}

/** The columns the seeder writes, in this order. */
// prettier-ignore
export const SEED_COLUMNS = [
  'org_id', 'first_name', 'last_name', 'title', 'job_title', 'email', 'phone', 'company_name', 'website', 'source',
  'status_id', 'owner_id', 'value_cents', 'currency', 'probability', 'rating', 'city', 'country', 'custom_fields',
  'status_changed_at', 'created_at', 'updated_at', 'created_by', 'updated_by', 'deleted_at', 'version',
] as const;

export interface SeedOrg {
  id: number;
  /** status key -> status id of this organization */
  statusIds: Map<string, number>;
  ownerId: number | null;
}

const strip = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

/** One lead row as values in SEED_COLUMNS order. `at` is its creation time in ms. */
export function makeLead(r: Rng, org: SeedOrg, at: number): unknown[] {
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  const company = `${r.pick(COMPANY_WORDS)} ${r.pick(COMPANY_WORDS)} ${r.pick(COMPANY_SUFFIX)}`;
  const created = new Date(at).toISOString();
  const updatedMs = at + r.int(30 * 86400_000);
  const updated = new Date(Math.min(updatedMs, Date.now())).toISOString();
  const hasValue = r.next() < 0.6;
  return [
    org.id,
    first,
    last,
    r.next() < 0.7 ? r.pick(SUBJECTS) : null,
    r.next() < 0.5 ? r.pick(JOB_TITLES) : null,
    r.next() < 0.9
      ? `${strip(first)}.${strip(last)}${r.int(1000)}@${strip(company.split(' ')[0])}.example.com`
      : null,
    r.next() < 0.7
      ? `+33 6 ${String(r.int(100)).padStart(2, '0')} ${String(r.int(100)).padStart(2, '0')} ${String(r.int(100)).padStart(2, '0')} ${String(r.int(100)).padStart(2, '0')}`
      : null,
    r.next() < 0.8 ? company : null,
    r.next() < 0.3 ? `https://www.${strip(company.split(' ')[0])}.example.com` : null,
    r.pick(SOURCES),
    org.statusIds.get(pickStatusKey(r))!,
    org.ownerId !== null && r.next() < 0.7 ? org.ownerId : null,
    hasValue ? (1 + r.int(5000)) * 1000 : null,
    hasValue ? 'EUR' : null,
    r.next() < 0.5 ? r.int(101) : null,
    r.next() < 0.3 ? 1 + r.int(5) : null,
    r.next() < 0.6 ? r.pick(CITIES) : null,
    r.next() < 0.8 ? r.pick(COUNTRIES) : null,
    '{}',
    created,
    created,
    updated,
    org.ownerId,
    org.ownerId,
    r.next() < 0.02 ? updated : null,
    1,
  ];
}

/** 0-2 tags for a lead (about a third of leads have some). */
export function makeTags(r: Rng): string[] {
  const x = r.next();
  if (x < 0.67) return [];
  const a = r.pick(TAGS);
  if (x < 0.9) return [a];
  const b = r.pick(TAGS);
  return a === b ? [a] : [a, b];
}
