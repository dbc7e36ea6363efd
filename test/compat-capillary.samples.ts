/**
 * Sample requests and responses copied from seed 002 (../shared/seeds/002_b3a928d40d2da105.txt), unchanged
 * except where a comment says so. Tests send the requests and compare responses to these shapes.
 */

export const REASONS_POST = [
  { reason: 'Item not available in store' },
  { reason: 'Best price availabe at another store' },
  { reason: 'Interested in our brand products' },
];

export const REASONS_RESPONSE = {
  data: [
    { id: 1, reason: 'Item not available in store' },
    { id: 2, reason: 'Best price availabe at another store' },
    { id: 3, reason: 'Interested in our brand products' },
  ],
  warnings: [],
  errors: [],
};

export const SUBSTATUS_POST = { status: 'ON_HOLD', subStatus: 'YetToDecide' };
export const SUBSTATUS_RESPONSE = { status: 'ON_HOLD', subStatus: 'YetToDecide', warnings: [] };
export const SUBSTATUSES_RESPONSE = {
  data: [
    { status: 'LOST', subStatus: 'InvalidPhoneNumber' },
    { status: 'ON_HOLD', subStatus: 'YetToDecide' },
  ],
  warnings: [],
  errors: [],
};

/** reasonId 1 and 2 are the document's ids; tests replace them with the ids the reasons got here. */
export const ADD_LEAD_POST = {
  type: 'SKU',
  leadFor: 'item001',
  idType: 'EMAIL',
  identifier: 'tom.sawyer@example.com',
  status: 'ON_HOLD',
  nextFollowUp: '2018-10-05T08:00:00+05:30',
  createdOn: '2018-10-04T13:30:00+05:30',
  createdBy: 28812689,
  followUpDetails: [
    {
      scheduledFollowUp: '2018-10-04T12:30:00+05:30',
      followedUpOn: '2018-10-04T12:45:00+05:30',
      followedUpBy: 28812689,
      notes: 'notes 1',
      nextFollowUp: '2018-10-04T13:15:00+05:30',
    },
    {
      scheduledFollowUp: '2018-10-04T12:30:00+05:30',
      followedUpOn: '2018-10-04T12:45:00+05:30',
      followedUpBy: 28812689,
      notes: 'notes 2',
      nextFollowUp: '2018-10-04T13:15:00+05:30',
    },
  ],
  extendedFields: {
    trial_status: 'Not Done',
  },
  statusLogDetails: [
    { status: 'OPEN', createdBy: 28812689, reasonId: 1 },
    { status: 'ON_HOLD', createdBy: 28812689, reasonId: 2 },
  ],
  orgSourceId: -1,
};

export const ADD_LEAD_RESPONSE = {
  id: 1,
  userId: 368754334,
  type: 'SKU',
  leadFor: 'item001',
  status: 'ON_HOLD',
  nextFollowUp: '2018-10-05T08:00:00+05:30',
  createdOn: '2018-10-04T13:30:00+05:30',
  createdBy: 28812689,
  lastUpdatedOn: '2018-11-14T15:38:04+05:30',
  lastUpdatedBy: 15002926,
  followUpDetails: [
    {
      id: 1,
      userId: 368754334,
      leadId: 1,
      notes: 'notes 1',
      createdBy: 15002926,
      createdOn: '2018-11-14T15:38:04+05:30',
      followedUpBy: 28812689,
      followedUpOn: '2018-10-04T12:45:00+05:30',
      scheduledFollowUp: '2018-10-04T12:30:00+05:30',
    },
    {
      id: 2,
      userId: 368754334,
      leadId: 1,
      notes: 'notes 2',
      createdBy: 15002926,
      createdOn: '2018-11-14T15:38:04+05:30',
      followedUpBy: 28812689,
      followedUpOn: '2018-10-04T12:45:00+05:30',
      scheduledFollowUp: '2018-10-04T12:30:00+05:30',
    },
  ],
  extendedFields: {
    trial_status: 'Not Done',
  },
  statusLogDetails: [
    {
      id: 1,
      userId: 368754334,
      leadId: 1,
      status: 'OPEN',
      createdBy: 15002926,
      createdOn: '2018-11-14T15:38:04+05:30',
      reasonId: 5,
      reason: 'Best price availabe at another store',
    },
    {
      id: 2,
      userId: 368754334,
      leadId: 1,
      status: 'ON_HOLD',
      createdBy: 15002926,
      createdOn: '2018-11-14T15:38:04+05:30',
      reasonId: 4,
      reason: 'Item not available in store',
    },
  ],
  orgSourceId: -1,
  warnings: [],
};

export const UPDATE_LEAD_PUT = {
  extendedFields: {
    trial_status: 'Not Done',
  },
};

export const UPDATE_STATUS_PUT = {
  status: 'ON_HOLD',
  subStatus: 'YetToDecide',
  createdBy: 28812689,
  reasonId: 2,
};

/** The last statusLogDetails entry of the document's Update Lead Status response (the change just made). */
export const UPDATE_STATUS_LAST_ENTRY = {
  id: 23,
  userId: 368754334,
  leadId: 2,
  status: 'ON_HOLD',
  createdBy: 28812689,
  createdOn: '2019-04-15T14:58:39+05:30',
  reasonId: 2,
  reason: 'Best price availabe at another store',
  subStatus: 'YetToDecide',
};

export const FOLLOWUP_POST = {
  followedUpOn: '2018-10-05T08:00:00+05:30',
  createdBy: 124,
};

/** The third followUpDetails entry of the document's Update Lead Followup response (the one just added). */
export const FOLLOWUP_ENTRY = {
  createdBy: 124,
  createdOn: '2019-04-16T05:19:06Z',
  followedUpBy: 124,
  followedUpOn: '2019-04-17T05:19:06Z',
  id: 124,
  leadId: 63,
  scheduledFollowUp: '2019-04-17T05:19:06Z',
  userId: 340417059,
};

export const SEARCH_URL = '/v2/leads?sortOrder=DESC&type=ALL&limit=10&orgSourceId=-1';

/**
 * Every key of `sample` is in `actual` with the same JSON type (arrays: each element of `actual` against the
 * sample's first; a sample key set to undefined is not checked). Returns the paths that differ, so a failing test says which field.
 */
export function shapeDiff(actual: unknown, sample: unknown, path = '$'): string[] {
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(actual) !== kind(sample)) return [`${path}: ${kind(actual)} instead of ${kind(sample)}`];
  if (Array.isArray(sample) && Array.isArray(actual)) {
    if (sample.length === 0) return [];
    return actual.flatMap((a, i) => shapeDiff(a, sample[0], `${path}[${i}]`));
  }
  if (kind(sample) === 'object') {
    const a = actual as Record<string, unknown>;
    return Object.entries(sample as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .flatMap(([k, v]) => (k in a ? shapeDiff(a[k], v, `${path}.${k}`) : [`${path}.${k}: missing`]));
  }
  return [];
}

/** The same instant? (The document writes +05:30 times; Leadflow answers in UTC.) */
export const sameInstant = (a: unknown, b: string) =>
  typeof a === 'string' && Date.parse(a) === Date.parse(b);
