import type { LeadDto } from '../../leads/lead.schema.js';
import type { CommentDto } from '../../activities/task.service.js';
import type { AttachmentDto } from '../../activities/attachment.service.js';
import { uuidOf } from './django.ids.js';
import { statusRead, sourceRead } from './django.mapping.js';
import { COUNTRY_FIELD } from './django.fields.js';

/** Datetimes as DRF renders them: ISO 8601 UTC, whole seconds, `Z`. */
export function drfTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : iso;
}

/** The country as the client wrote it ("USA") while the core's alpha-2 still is what it maps to. */
function countryOf(lead: LeadDto): string | null {
  const written = lead.custom_fields[COUNTRY_FIELD];
  if (typeof written === 'string' && lead.address.country) return written;
  return lead.address.country;
}

/** The assignees (role `assignee`); the owner counts as assigned when there is no assignee. */
export function assigneeIds(lead: LeadDto): number[] {
  const ids = (lead.users ?? []).filter((u) => u.role === 'assignee').map((u) => u.user_id);
  return ids.length ? ids : lead.owner_id !== null ? [lead.owner_id] : [];
}

/** The document's Lead. */
export function toDjangoLead(lead: LeadDto, orgId: number) {
  return {
    id: uuidOf('lead', lead.id),
    title: lead.title,
    first_name: lead.first_name,
    last_name: lead.last_name,
    email: lead.email,
    phone: lead.phone,
    status: statusRead({ key: lead.status, category: lead.status_category }, lead.converted !== null),
    source: sourceRead(lead.source),
    account_name: lead.company_name,
    website: lead.website,
    description: lead.description,
    opportunity_amount: lead.value,
    probability: lead.probability,
    address_line: lead.address.line1,
    street: lead.address.line2,
    city: lead.address.city,
    state: lead.address.state,
    postcode: lead.address.postal_code,
    country: countryOf(lead),
    created_on: drfTime(lead.created_at),
    created_by: uuidOf('user', lead.created_by),
    org: uuidOf('org', orgId),
    contacts: lead.contacts.map((c) => uuidOf('contact', c.id)),
    assigned_to: assigneeIds(lead).map((id) => uuidOf('user', id)),
    teams: (lead.team_ids ?? []).map((id) => uuidOf('team', id)),
    tags: lead.tags,
    company: uuidOf('company', lead.company_id),
  };
}

export function addressOf(lead: LeadDto) {
  return {
    address_line: lead.address.line1,
    street: lead.address.line2,
    city: lead.address.city,
    state: lead.address.state,
    postcode: lead.address.postal_code,
    country: countryOf(lead),
  };
}

export interface UserLite {
  id: number;
  email: string;
  name: string | null;
  role: string;
  active: boolean;
}
export const toDjangoUser = (u: UserLite) => ({
  id: uuidOf('user', u.id),
  email: u.email,
  name: u.name,
  role: u.role,
  is_active: u.active,
});

export const toDjangoComment = (c: CommentDto) => ({
  id: uuidOf('comment', c.id),
  comment: c.body,
  commented_on: drfTime(c.created_at),
  commented_by: uuidOf('user', c.author_id),
  lead: uuidOf('lead', c.lead_id),
});

export const toDjangoAttachment = (a: AttachmentDto) => ({
  id: uuidOf('attachment', a.id),
  file_name: a.filename,
  attachment: a.url,
  content_type: a.content_type,
  size: a.size_bytes,
  created_on: drfTime(a.created_at),
  created_by: uuidOf('user', a.uploaded_by),
  lead: uuidOf('lead', a.lead_id),
});

export interface CompanyLite {
  id: number;
  name: string;
  industry: string | null;
  website: string | null;
  email?: string | null;
  phone?: string | null;
  created_at?: string;
}
export const toDjangoCompany = (c: CompanyLite, fromLead?: number | null) => ({
  id: uuidOf('company', c.id),
  name: c.name,
  industry: c.industry,
  website: c.website,
  email: c.email ?? null,
  phone: c.phone ?? null,
  created_on: drfTime(c.created_at),
  created_from_lead: uuidOf('lead', fromLead ?? null),
});
