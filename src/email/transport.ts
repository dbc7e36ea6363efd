import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (e.g. X-Leadflow-Template). */
  headers?: Record<string, string>;
}

export interface MailTransport {
  /** "smtp" or "file": shown in logs and docs. */
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

interface Log {
  info(obj: unknown, msg: string): void;
}

/** Sends through the SMTP server of SMTP_URL (smtp:// with STARTTLS when offered, smtps:// for TLS on connect). */
export function createSmtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url, { from });
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transporter.sendMail({ from, ...mail });
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}

/**
 * Without SMTP_URL: the message is built exactly as it would be sent and written to `dir` as an .eml file (open it
 * in any mail client), and one line goes to the log, so a laptop install shows what would have been sent.
 */
export function createFileTransport(dir: string, from: string, log?: Log): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let seq = 0;
  return {
    kind: 'file',
    async send(mail) {
      const info = await builder.sendMail({ from, ...mail });
      fs.mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(dir, `${stamp}-${process.pid}-${++seq}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      log?.info({ to: mail.to, subject: mail.subject, file }, 'email written to file (SMTP_URL is not set)');
      return { messageId: info.messageId };
    },
    close: () => undefined,
  };
}
