/** How a lead response shows its company and contacts (see LeadResponse). */
export interface LeadCompanySummary {
  id: number;
  name: string;
  domain: string | null;
  /** prospect or customer (the customer flag, migration 0083). */
  customer_status: string;
}

export interface LeadContactSummary {
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  /** prospect or customer (the customer flag, migration 0083). */
  customer_status: string;
}
