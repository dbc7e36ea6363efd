import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { LANGUAGES } from './i18n.js';

const NStr = Nullable(Type.String());

export const ResetRequestBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }) },
  { additionalProperties: false },
);
export const ResetRequestResponse = Type.Object({ status: Type.String(), detail: Type.String() });
export const ResetConfirmBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 200, description: 'The token of the emailed link' }),
    password: Type.String({ minLength: 8, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const Pref = Type.Boolean();
export const NotificationPrefs = Type.Object({
  lead_assigned: Pref,
  daily_digest: Pref,
  web_lead: Pref,
  import_finished: Pref,
});
export const NotificationPrefsPatch = Type.Object(
  {
    lead_assigned: Type.Optional(Pref),
    daily_digest: Type.Optional(Pref),
    web_lead: Type.Optional(Pref),
    import_finished: Type.Optional(Pref),
  },
  { additionalProperties: false },
);

const LanguageSchema = Type.Union(
  LANGUAGES.map((l) => Type.Literal(l)),
  { description: 'Language of the emails: en, fr, de or es' },
);
export const EmailSettingsResponse = Type.Object({
  language: Nullable(Type.String()),
  web_lead_recipient: NStr,
  time_zone: NStr,
  delivery: Type.String({ description: 'smtp, or file when SMTP_URL is not set (emails go to data/mail)' }),
  languages: Type.Array(Type.String()),
});
export const EmailSettingsPatch = Type.Object(
  {
    language: Type.Optional(Nullable(LanguageSchema)),
    web_lead_recipient: Type.Optional(
      Nullable(
        Type.String({
          format: 'email',
          maxLength: 254,
          description: 'Web-to-lead notices go here instead of to the key creator',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const Delivery = Nullable(
  Type.Object({
    email_id: Type.Integer(),
    status: Type.String({ description: 'queued (not delivered yet), sent or failed' }),
    attempts: Type.Integer(),
    last_error: NStr,
    sent_at: NStr,
  }),
);

export const OutboxQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
export const OutboxResponse = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      template: Type.String(),
      to_address: Type.String(),
      subject: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      last_error: NStr,
      related_type: NStr,
      related_id: Nullable(Type.Integer()),
      created_at: Type.String(),
      sent_at: NStr,
    }),
  ),
});

export const ResendResponse = Type.Object({
  id: Type.Integer(),
  expires_at: Type.String(),
  token: Type.String({ description: 'The new token (the previous link no longer works)' }),
  accept_path: Type.String(),
  delivery: Delivery,
});
