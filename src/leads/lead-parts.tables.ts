import type { Generated } from 'kysely';

/** A user with a role on a lead (migration 0080); the owner is leads.owner_id. */
export interface LeadUsersTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  user_id: number;
  role: string;
  created_by: number | null;
  created_at: string;
}

/** The teams of a lead, in order (migration 0080); leads.team_id is the primary one. */
export interface LeadTeamsTable {
  org_id: number;
  lead_id: number;
  team_id: number;
  position: number;
}

/** A lead's email or phone (migration 0081); the primary ones are mirrored in leads.email/phone/mobile. */
export interface LeadContactPointsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  kind: 'email' | 'phone';
  /** The address, or the number as written. */
  value: string;
  /** Phones: digits only (with the country code when known), for search. */
  digits: string | null;
  type: string;
  extension: string | null;
  valid: number;
  is_primary: number;
  position: number;
  created_at: string;
  updated_at: string;
}

/** One typed item of a lead (migration 0082). */
export interface LeadItemsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  type: string;
  position: number;
  name: string | null;
  catalog_ref: string | null;
  /** Decimal text ("2", "1.5"). */
  quantity: string | null;
  price_cents: number | null;
  currency: string | null;
  comment: string | null;
  vin: string | null;
  /** JSON object: the vehicle's fields (money in minor units). */
  details: string;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** A channel a lead opted out of, and since when (migration 0083). */
export interface LeadConsentsTable {
  org_id: number;
  lead_id: number;
  /** call, email, sms or all. */
  channel: string;
  opted_out_at: string;
  recorded_at: string;
}

export interface LeadPartTables {
  lead_consents: LeadConsentsTable;
  lead_items: LeadItemsTable;
  lead_contact_points: LeadContactPointsTable;
  lead_users: LeadUsersTable;
  lead_teams: LeadTeamsTable;
}
