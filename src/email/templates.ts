import { formatDateTime, formatTime, t, type Language } from './i18n.js';

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export type TemplateName =
  | 'invitation'
  | 'password_reset'
  | 'lead_assigned'
  | 'daily_digest'
  | 'web_lead'
  | 'import_finished'
  | 'webhook_disabled';

/** Messages whose body is a credential: their bodies are dropped from the outbox once sent. */
export const SENSITIVE_TEMPLATES: ReadonlySet<string> = new Set(['invitation', 'password_reset']);

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

interface Layout {
  lang: Language;
  name?: string;
  paragraphs: string[];
  items?: string[];
  action: { label: string; url: string };
  notes?: string[];
  /** Link to the notification settings (notifications only, never on a credential email). */
  settingsUrl?: string;
}

/** One layout for every email: plain text first (what many clients show), the same content as simple HTML. */
function layout(subject: string, l: Layout): Rendered {
  const greeting = l.name ? t(l.lang, 'greeting', { name: l.name }) : undefined;
  const footer = l.settingsUrl ? t(l.lang, 'footer', { settings: l.settingsUrl }) : t(l.lang, 'footerPlain');
  const text = [
    ...(greeting ? [greeting, ''] : []),
    ...l.paragraphs.flatMap((p) => [p, '']),
    ...(l.items?.length ? [...l.items.map((i) => `- ${i}`), ''] : []),
    `${l.action.label}: ${l.action.url}`,
    '',
    ...(l.notes ?? []).flatMap((n) => [n, '']),
    '-- ',
    footer,
    '',
  ].join('\n');
  const footerHtml = l.settingsUrl
    ? escapeHtml(t(l.lang, 'footer', { settings: '\u0000' })).replace(
        '\u0000',
        `<a href="${escapeHtml(l.settingsUrl)}">${escapeHtml(l.settingsUrl)}</a>`,
      )
    : escapeHtml(footer);
  const html = `<!doctype html>
<html lang="${l.lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;line-height:1.5">
<div style="max-width:560px;margin:0 auto;padding:24px">
${greeting ? `<p>${escapeHtml(greeting)}</p>\n` : ''}${l.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${l.items?.length ? `<ul>${l.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>\n` : ''}<p><a href="${escapeHtml(l.action.url)}" style="display:inline-block;background:#2557d6;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(l.action.label)}</a></p>
<p style="font-size:13px;color:#52606d">${escapeHtml(l.action.url)}</p>
${(l.notes ?? []).map((n) => `<p style="font-size:13px;color:#52606d">${escapeHtml(n)}</p>`).join('\n')}
<hr style="border:none;border-top:1px solid #e4e7eb"><p style="font-size:12px;color:#7b8794">${footerHtml}</p>
</div></body></html>
`;
  return { subject, text, html };
}

export interface Ctx {
  lang: Language;
  timeZone: string;
  baseUrl: string;
}

export function renderInvitation(
  c: Ctx,
  v: { org: string; inviter: string | null; role: string; token: string; expiresAt: string },
): Rendered {
  const inviter = v.inviter ?? t(c.lang, 'someone');
  return layout(t(c.lang, 'invitation.subject', { inviter, org: v.org }), {
    lang: c.lang,
    paragraphs: [t(c.lang, 'invitation.body', { inviter, org: v.org, role: v.role })],
    action: { label: t(c.lang, 'invitation.action'), url: `${c.baseUrl}/invite/${v.token}` },
    notes: [t(c.lang, 'invitation.expiry', { expires: formatDateTime(c.lang, v.expiresAt, c.timeZone) })],
  });
}

export function renderPasswordReset(c: Ctx, v: { name: string; token: string }): Rendered {
  return layout(t(c.lang, 'reset.subject'), {
    lang: c.lang,
    name: v.name,
    paragraphs: [t(c.lang, 'reset.body')],
    action: { label: t(c.lang, 'reset.action'), url: `${c.baseUrl}/reset-password/${v.token}` },
    notes: [t(c.lang, 'reset.expiry')],
  });
}

export function renderLeadAssigned(
  c: Ctx,
  v: { name: string; lead: string; leadId: number; by: string | null },
): Rendered {
  return layout(t(c.lang, 'assigned.subject', { lead: v.lead }), {
    lang: c.lang,
    name: v.name,
    paragraphs: [t(c.lang, 'assigned.body', { by: v.by ?? t(c.lang, 'someone'), lead: v.lead })],
    action: { label: t(c.lang, 'assigned.action'), url: `${c.baseUrl}/leads/${v.leadId}` },
    settingsUrl: `${c.baseUrl}/settings/notifications`,
  });
}

export interface DigestItem {
  kind: 'follow_up' | 'task';
  at: string;
  title: string;
  lead: string;
  leadId: number;
}

export function renderDailyDigest(c: Ctx, v: { name: string; date: string; items: DigestItem[] }): Rendered {
  const items = v.items.map(
    (i) =>
      `${formatTime(c.lang, i.at, c.timeZone)} · ${t(c.lang, i.kind === 'task' ? 'digest.task' : 'digest.followUp')} · ${i.title ? `${i.title} · ` : ''}${i.lead} (${c.baseUrl}/leads/${i.leadId})`,
  );
  return layout(t(c.lang, 'digest.subject', { date: v.date, count: v.items.length }), {
    lang: c.lang,
    name: v.name,
    paragraphs: [t(c.lang, 'digest.body', { date: v.date })],
    items,
    action: { label: t(c.lang, 'digest.action'), url: `${c.baseUrl}/leads` },
    settingsUrl: `${c.baseUrl}/settings/notifications`,
  });
}

export function renderWebLead(c: Ctx, v: { lead: string; leadId: number; form: string }): Rendered {
  return layout(t(c.lang, 'webLead.subject', { lead: v.lead }), {
    lang: c.lang,
    paragraphs: [t(c.lang, 'webLead.body', { form: v.form, lead: v.lead })],
    action: { label: t(c.lang, 'webLead.action'), url: `${c.baseUrl}/leads/${v.leadId}` },
    settingsUrl: `${c.baseUrl}/settings/notifications`,
  });
}

export function renderImportFinished(
  c: Ctx,
  v: {
    name: string;
    file: string;
    failed: boolean;
    created: number;
    updated: number;
    rejected: number;
  },
): Rendered {
  return layout(t(c.lang, 'import.subject', { file: v.file }), {
    lang: c.lang,
    name: v.name,
    paragraphs: [
      t(c.lang, 'import.body', {
        file: v.file,
        state: t(c.lang, v.failed ? 'import.failed' : 'import.completed'),
        created: v.created,
        updated: v.updated,
        failed: v.rejected,
      }),
    ],
    action: { label: t(c.lang, 'import.action'), url: `${c.baseUrl}/import` },
    settingsUrl: `${c.baseUrl}/settings/notifications`,
  });
}
