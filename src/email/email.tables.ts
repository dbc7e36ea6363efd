import type { Generated } from 'kysely';

/** Tables of the email feature (migration 0120_email). */
export interface EmailsTable {
  id: Generated<number>;
  org_id: number;
  /** invitation | password_reset | lead_assigned | daily_digest | web_lead | import_finished */
  template: string;
  to_address: string;
  user_id: number | null;
  subject: string;
  /** Null once sent for messages that carry a credential (invitation, password reset). */
  text_body: string | null;
  html_body: string | null;
  /** queued | sent | failed */
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  /** What the message is about ("invitation", "lead", "import"...), so its delivery can be shown there. */
  related_type: string | null;
  related_id: number | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

/** Not tenant-owned: a user account spans organizations, like its sessions. */
export interface PasswordResetsTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface NotificationPreferencesTable {
  org_id: number;
  user_id: number;
  kind: string;
  enabled: number;
  updated_at: string;
}

export interface EmailSettingsTable {
  org_id: number;
  /** "en", "fr", "de", "es"; null means English. */
  language: string | null;
  /** Where web-to-lead notices go instead of the key's creator; null means the creator (or the owner). */
  web_lead_recipient: string | null;
  updated_at: string;
}

export interface DigestRunsTable {
  org_id: number;
  /** The organization's local date (YYYY-MM-DD) whose digest was queued. */
  local_date: string;
  created_at: string;
}

export interface EmailTables {
  emails: EmailsTable;
  password_resets: PasswordResetsTable;
  notification_preferences: NotificationPreferencesTable;
  email_settings: EmailSettingsTable;
  digest_runs: DigestRunsTable;
}
