import type { OwnedFieldSpec } from '../shared/owned-fields.js';

/**
 * Seed 000's vocabulary (the Lead object's enums) and the attributes the core has no column for, kept as this
 * surface's owned fields (`activix__<key>` in the lead's custom fields; docs/compat/activix.md).
 */
export const CIVILITIES = ['mr', 'ms', 'miss', 'dr', 'me'] as const;
export const CREATED_METHODS = [
  'activix',
  'api',
  'auto_renewal',
  'cdk',
  'ct_wizard',
  'ford_direct',
  'manual',
  'manual_import',
  'n_c_i_digital',
  'niotext',
  'phone_system',
  'porsche_digital',
  'scan',
  'scraper',
  'serti',
] as const;
export const DIVISIONS = ['new', 'used', 'service'] as const;
export const RESULTS = ['pending', 'attempted', 'reached'] as const;
export const SEGMENTS = [
  'conquest',
  'promo',
  'notSold',
  'service',
  'loyalty',
  'reminder',
  'endWarranty',
  'endLcap',
  'endLnette',
  'csi',
  'noShow',
  'other',
] as const;
export const STATUSES = ['duplicate', 'invalid', 'lost'] as const;
export const TYPES = [
  'email',
  'phone',
  'walk_in',
  'loyalty',
  'renewal',
  'sms',
  'event',
  'pre_booking',
] as const;
/** ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable. */
export const GENDERS = [0, 1, 2, 9] as const;
export const SERVICE_INTERVALS_KM = [
  1000, 5000, 6000, 8000, 12000, 16000, 18000, 20000, 24000, 25000,
] as const;

/** The enum-valued string attributes and their allowed values. */
export const ENUMS: Record<string, readonly string[]> = {
  civility: CIVILITIES,
  second_contact_civility: CIVILITIES,
  created_method: CREATED_METHODS,
  division: DIVISIONS,
  result: RESULTS,
  segment: SEGMENTS,
  status: STATUSES,
  type: TYPES,
};

/** Instants of the Lead object with no core column: owned datetime fields, stored as UTC `...Z` to the second. */
export const OWNED_DATES = [
  'appointment_date',
  'available_date',
  'be_back_date',
  'call_date',
  'csi_date',
  'delivered_date',
  'delivery_date',
  'paperwork_date',
  'presented_date',
  'promised_date',
  'refinanced_date',
  'road_test_date',
  'sale_date',
  'take_over_date',
] as const;
/** The service attributes' instants (leads of division service). */
export const SERVICE_DATES = [
  'end_service_date',
  'last_visit_date',
  'next_visit_date',
  'open_work_order_date',
  'planned_pick_up_date',
  'repair_date',
] as const;
/** The four unsubscribe instants: the lead's consent (table lead_consents), one channel each. */
export const UNSUBSCRIBE_DATES = {
  unsubscribe_all_date: 'do_not_contact',
  unsubscribe_call_date: 'do_not_call',
  unsubscribe_email_date: 'do_not_email',
  unsubscribe_sms_date: 'do_not_sms',
} as const;

export const SERVICE_INTS = [
  'average_spending',
  'odometer_last_visit',
  'service_interval_km',
  'service_monthly_km',
] as const;
export const SERVICE_BOOLS = [
  'business',
  'invoiced',
  'loyalty',
  'prepaid',
  'reached_client',
  'service_cleaned',
] as const;
export const SERVICE_TEXTS = ['code', 'repair_order', 'storage', 'work_order'] as const;

/** Owned scalar attributes (besides the dates). */
export const OWNED_TEXTS = [
  'created_method',
  'division',
  'result',
  'segment',
  'type',
  ...SERVICE_TEXTS,
] as const;
export const OWNED_INTS = ['customer_id', 'source_id', 'gender', ...SERVICE_INTS] as const;

export const ACTIVIX_FIELDS: OwnedFieldSpec[] = [
  ...[...OWNED_DATES, ...SERVICE_DATES].map((key) => ({ key, type: 'datetime' as const })),
  ...OWNED_TEXTS.map((key) => ({ key, type: 'string' as const })),
  ...OWNED_INTS.map((key) => ({ key, type: 'number' as const })),
  ...SERVICE_BOOLS.map((key) => ({ key, type: 'boolean' as const })),
];

/**
 * `second_contact` and `second_contact_civility` are the core's own keys (lead search reads them,
 * src/leads/lead-search.ts), so they stay plain custom fields rather than owned ones.
 */
export const CORE_CUSTOM_KEYS = ['second_contact', 'second_contact_civility'] as const;

/** The user roles of the Lead object (table lead_users). */
export const USER_ROLES = ['advisor', 'bdc', 'commercial', 'service_advisor', 'service_agent'] as const;

export const INCLUDES = [
  'account',
  ...USER_ROLES,
  'emails',
  'events',
  'phones',
  'products',
  'tasks',
  'vehicles',
] as const;
export type Include = (typeof INCLUDES)[number];
