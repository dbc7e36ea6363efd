import type { ColumnType, Generated } from 'kysely';

/** Companies, contacts, opportunities and the lead links (migration 0020_accounts). */
export interface CompaniesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  /** Lower-cased, space-collapsed name: matching and sorting by name. */
  name_key: string;
  industry: string | null;
  website: string | null;
  /** Bare host ("acme.com"), derived from the website when not given: matching leads by email domain. */
  domain: string | null;
  phone: string | null;
  email: string | null;
  description: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  owner_id: number | null;
  custom_fields: string;
  /** Lower-cased name, domain, website, phone and email: the `q` search. */
  search_text: string;
  created_from_lead_id: number | null;
  created_at: string;
  updated_at: string;
  created_by: number | null;
  updated_by: number | null;
  deleted_at: string | null;
  version: number;
  /** Migration 0083: prospect or customer. */
  customer_status: ColumnType<string, string | undefined, string>;
}

export interface CompanyTagsTable {
  org_id: number;
  company_id: number;
  tag: string;
}

export interface ContactsTable {
  id: Generated<number>;
  org_id: number;
  first_name: string | null;
  last_name: string | null;
  civility: string | null;
  job_title: string | null;
  company_id: number | null;
  /** JSON array of { phone, label }. */
  phones: string;
  description: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  owner_id: number | null;
  do_not_email: number;
  do_not_email_at: string | null;
  do_not_call: number;
  do_not_call_at: string | null;
  do_not_sms: number;
  do_not_sms_at: string | null;
  /** Migration 0083: "all" (seed 000 unsubscribe_all), and prospect or customer. */
  do_not_contact: ColumnType<number, number | undefined, number>;
  do_not_contact_at: ColumnType<string | null, string | null | undefined, string | null>;
  customer_status: ColumnType<string, string | undefined, string>;
  custom_fields: string;
  search_text: string;
  created_from_lead_id: number | null;
  created_at: string;
  updated_at: string;
  created_by: number | null;
  updated_by: number | null;
  deleted_at: string | null;
  version: number;
}

/** A contact's email addresses, one row each so a lead's email finds its contact through an index. */
export interface ContactEmailsTable {
  org_id: number;
  contact_id: number;
  /** Trimmed and lower-cased. */
  email: string;
  label: string | null;
  position: number;
}

/** Digits of each contact phone (from `contacts.phones`), indexed to find a contact by its number. */
export interface ContactPhonesTable {
  org_id: number;
  contact_id: number;
  position: number;
  digits: string;
}

/** Which contact an identifier resolves to for find-or-create (migration 0060); one per (org, kind, value). */
export interface ContactIdentifiersTable {
  org_id: number;
  /** 'email' (trimmed, lower-cased) | 'mobile' (digits only) */
  kind: string;
  value: string;
  /** Null only while the claiming transaction is open. */
  contact_id: number | null;
}

export interface ContactTagsTable {
  org_id: number;
  contact_id: number;
  tag: string;
}

export interface OpportunitiesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  amount_cents: number | null;
  currency: string | null;
  stage: string;
  probability: number | null;
  close_date: string | null;
  company_id: number | null;
  contact_id: number | null;
  owner_id: number | null;
  /** The lead it came from; a lead becomes at most one live opportunity (unique index). */
  lead_id: number | null;
  description: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
  created_by: number | null;
  updated_by: number | null;
  deleted_at: string | null;
  version: number;
}

export interface LeadContactsTable {
  org_id: number;
  lead_id: number;
  contact_id: number;
  created_at: string;
}

export interface AccountsTables {
  companies: CompaniesTable;
  company_tags: CompanyTagsTable;
  contacts: ContactsTable;
  contact_emails: ContactEmailsTable;
  contact_phones: ContactPhonesTable;
  contact_tags: ContactTagsTable;
  contact_identifiers: ContactIdentifiersTable;
  opportunities: OpportunitiesTable;
  lead_contacts: LeadContactsTable;
}

/** Columns this feature adds to `leads`. */
export interface LeadAccountColumns {
  company_id: number | null;
  converted_at: string | null;
  converted_by: number | null;
  converted_company_id: number | null;
  converted_contact_id: number | null;
  converted_opportunity_id: number | null;
}
