import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { fieldError, AppError } from '../http/errors.js';
import type { LeadService } from '../leads/lead.service.js';
import type { LeadCreateInput, LeadDto } from '../leads/lead.schema.js';
import type { AuditService } from './audit.service.js';
import type { KeyRepository, WebKeyRow } from './key.repository.js';
import { normalizeOrigin } from './key.service.js';
import type { AuthContext } from './roles.js';
import type { AccessRepository } from './access.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';

/** Extra (unknown) form fields kept as custom fields; one more is a 422 naming it. */
export const MAX_EXTRA_FIELDS = 30;

/** The hidden field a person never fills and a bot usually does. */
export const HONEYPOT_FIELD = '_hp_url';

/** Form fields that map onto lead fields; anything else a form sends lands in custom_fields. */
const TEXT_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'mobile',
  'company_name',
  'job_title',
  'title',
  'website',
  'civility',
] as const;
const ADDRESS_FIELDS = ['city', 'state', 'postal_code', 'country'] as const;
const CUSTOM_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export type WebToLeadResult =
  | { created: true; leadId: number; lead: LeadDto; successUrl: string | null }
  | { created: false; successUrl: string | null };

export function createWebToLeadService({
  db,
  keys,
  leads,
  audit,
  access,
  statuses,
  onSubmitted,
}: {
  db: Kysely<Database>;
  keys: KeyRepository;
  leads: LeadService;
  audit: AuditService;
  access: AccessRepository;
  statuses: StatusRepository;
  /** After the lead is created (in the caller's transaction, if any): tells someone a web lead arrived (src/email). */
  onSubmitted?: (key: WebKeyRow, leadId: number, opts?: TxOptions) => Promise<void>;
}) {
  return {
    /** Finds a live key, or 401 without saying whether it ever existed. */
    async resolveKey(key: string | undefined): Promise<WebKeyRow> {
      const row = key && key.length <= 100 ? await keys.findWebKeyByKey(key) : undefined;
      if (!row || row.revoked_at)
        throw new AppError('unauthorized', 'The web-to-lead key is missing, unknown or revoked.');
      return row;
    },

    /** Whether a browser on `origin` may post with this key (no Origin header: not a browser, allowed). */
    originAllowed(row: WebKeyRow, origin: string | undefined): boolean {
      const allowed = JSON.parse(row.allowed_origins) as string[];
      if (origin === undefined || allowed.length === 0) return true;
      const o = normalizeOrigin(origin);
      return o !== null && allowed.includes(o);
    },

    async submit(
      row: WebKeyRow,
      form: Record<string, unknown>,
      meta: { origin?: string; ip?: string },
      opts: TxOptions = {},
    ): Promise<WebToLeadResult> {
      const actor = { orgId: row.org_id, ip: meta.ip ?? null };
      if (!this.originAllowed(row, meta.origin)) {
        await audit.record(
          actor,
          {
            action: 'web_to_lead.origin_denied',
            targetType: 'web_to_lead_key',
            targetId: row.id,
            details: { origin: meta.origin },
          },
          opts,
        );
        throw new AppError('forbidden', `Origin ${meta.origin} is not allowed to post with this key.`);
      }
      const hp = form[HONEYPOT_FIELD];
      if (typeof hp === 'string' && hp.trim() !== '') {
        // Answer as if it worked so the bot learns nothing; keep a trace for the admins.
        await audit.record(
          actor,
          {
            action: 'web_to_lead.spam_blocked',
            targetType: 'web_to_lead_key',
            targetId: row.id,
            details: { reason: 'honeypot' },
          },
          opts,
        );
        return { created: false, successUrl: row.success_url };
      }
      const input: Record<string, unknown> = {};
      for (const f of TEXT_FIELDS)
        if (typeof form[f] === 'string' && (form[f] as string).trim() !== '')
          input[f] = (form[f] as string).trim();
      const address: Record<string, string> = {};
      for (const f of ADDRESS_FIELDS)
        if (typeof form[f] === 'string' && (form[f] as string).trim() !== '')
          address[f] = (form[f] as string).trim();
      if (Object.keys(address).length) input.address = address;
      const message = [form.description, form.message]
        .filter((v) => typeof v === 'string' && v.trim() !== '')
        .join('\n\n');
      if (message) input.description = message;
      const custom: Record<string, string> = {};
      const known = new Set<string>([
        ...TEXT_FIELDS,
        ...ADDRESS_FIELDS,
        'description',
        'message',
        HONEYPOT_FIELD,
        'key',
      ]);
      for (const [k, v] of Object.entries(form)) {
        if (
          known.has(k) ||
          k.startsWith('_') ||
          typeof v !== 'string' ||
          v.trim() === '' ||
          !CUSTOM_KEY.test(k)
        )
          continue;
        if (Object.keys(custom).length >= MAX_EXTRA_FIELDS)
          // Reported, never dropped silently (issue 12): the site owner sees which field is one too many.
          throw fieldError(k, `a form may send at most ${MAX_EXTRA_FIELDS} extra fields; this is one more`);
        custom[k] = v.trim();
      }
      if (Object.keys(custom).length) input.custom_fields = custom;
      input.source = row.default_source ?? 'web form';
      // Defaults can go stale (owner deactivated, status or team deleted): a visitor's form must still work,
      // so a stale default is skipped rather than turned into an error the visitor cannot fix.
      const q = runner(db, opts);
      if (row.default_status && (await statuses.findByKey(row.org_id, row.default_status, q)))
        input.status = row.default_status;
      if (row.default_owner_id) {
        const m = await access.findMembership(row.org_id, row.default_owner_id, q);
        if (m && !m.deactivated_at) input.owner_id = row.default_owner_id;
      }
      if (row.default_team_id && (await access.findTeam(row.org_id, row.default_team_id, q)))
        input.team_id = row.default_team_id;
      const tags = JSON.parse(row.default_tags) as string[];
      if (tags.length) input.tags = tags;
      const auth: AuthContext = {
        kind: 'web_form',
        orgId: row.org_id,
        userId: null,
        role: 'manager',
        ip: meta.ip,
      };
      // Seed 004: the form's person becomes (or is linked to) a contact of the lead.
      input.link = 'contact';
      const lead = await inTransaction(db, opts, async (trx) => {
        const created = await leads.create(auth, input as LeadCreateInput, { tx: trx });
        await keys.touchWebKey(row.id, nowIso(), trx);
        return created;
      });
      await onSubmitted?.(row, lead.id, opts);
      return { created: true, leadId: lead.id, lead, successUrl: row.success_url };
    },
  };
}

export type WebToLeadService = ReturnType<typeof createWebToLeadService>;
