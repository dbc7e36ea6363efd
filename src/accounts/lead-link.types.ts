/** How a lead response shows its company and contacts (see LeadResponse). */
export interface LeadCompanySummary {
  id: number;
  name: string;
  domain: string | null;
}

export interface LeadContactSummary {
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}
