export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

export interface Lead {
  id: number;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  job_title: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  company_name: string | null;
  website: string | null;
  source: string | null;
  status: string;
  status_category: string;
  sub_status: string | null;
  owner_id: number | null;
  value: string | null;
  currency: string | null;
  probability: number | null;
  rating: number | null;
  description: string | null;
  address: Address;
  tags: string[];
  custom_fields: Record<string, string | number | boolean | null>;
  next_follow_up_at: string | null;
  last_follow_up_at: string | null;
  status_changed_at: string;
  expected_close_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  /** The people, contact points and items of the lead (src/leads/lead-*.ts). */
  users?: LeadUser[];
  team_ids?: number[];
  emails?: LeadEmail[];
  phones?: LeadPhone[];
  items?: LeadItem[];
  deleted_at: string | null;
  [extra: string]: unknown;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  total?: number;
}

export interface Status {
  id?: number;
  key: string;
  label: string;
  category: string;
  position?: number;
  reason_required?: boolean;
  is_default?: boolean;
  /** Names of its sub-statuses. */
  sub_statuses?: (string | SubStatus)[];
  lead_count?: number;
}

export interface SubStatus {
  id?: number;
  key?: string;
  name?: string;
  label?: string;
}

export interface Reason {
  id: number;
  label?: string;
  text?: string;
  categories?: string[] | null;
  [extra: string]: unknown;
}

export interface CustomField {
  id?: number;
  key: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'boolean' | 'enum';
  options?: string[] | null;
  required?: boolean;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role?: string;
  active?: boolean;
  [extra: string]: unknown;
}

export interface Membership {
  id: number;
  name: string;
  role: string;
}

export interface Me {
  user: { id: number; email: string; name: string } | null;
  organization_id: number;
  role: string;
  organizations: Membership[];
}

export interface LeadUser {
  id: number | null;
  user_id: number;
  role: string;
  created_at: string | null;
}

export interface LeadEmail {
  id: number | null;
  address: string;
  type: string;
  valid: boolean;
  primary: boolean;
}

export interface LeadPhone {
  id: number | null;
  number: string;
  extension: string | null;
  type: string;
  valid: boolean;
  primary: boolean;
}

export interface LeadItem {
  id: number;
  type: string;
  name: string | null;
  catalog_ref: string | null;
  quantity: string | null;
  price: string | null;
  currency: string | null;
  comment: string | null;
  vehicle: Record<string, string | number | boolean | null> | null;
}
