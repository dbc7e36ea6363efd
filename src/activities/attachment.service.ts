import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import type { ActivityRepository, AttachmentRow } from './activity.repository.js';
import { defaultGuard, loadLead, type LeadGuard } from './lead-access.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export function toAttachmentResponse(r: AttachmentRow) {
  return {
    id: r.id,
    lead_id: r.lead_id,
    filename: r.filename,
    content_type: r.content_type,
    size_bytes: Number(r.size_bytes),
    uploaded_by: r.uploaded_by,
    created_at: r.created_at,
    url: `/api/v1/leads/${r.lead_id}/attachments/${r.id}/content`,
  };
}
export type AttachmentDto = ReturnType<typeof toAttachmentResponse>;

// Clients often send application/octet-stream, and a multipart part without a type reads as text/plain; for
// those two the extension is the better witness.
const BY_EXTENSION: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.zip': 'application/zip',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.eml': 'message/rfc822',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
};

export function contentTypeFor(filename: string, sent: string | undefined): string {
  const clean = (sent ?? '').split(';')[0].trim().toLowerCase();
  const weak = clean === '' || clean === 'application/octet-stream' || clean === 'text/plain';
  if (!weak && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(clean)) return clean;
  return BY_EXTENSION[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

function safeName(name: string): string {
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return (base || 'file').slice(0, 255);
}

export interface AttachmentDeps {
  db: Kysely<Database>;
  activities: ActivityRepository;
  leads: LeadRepository;
  /** Files go under <dataDir>/attachments/<org id>/. */
  dataDir: string;
  maxBytes: number;
  guard?: LeadGuard;
}

/** Files attached to leads, stored on disk under the data directory; the database keeps their metadata. */
export function createAttachmentService({
  db,
  activities,
  leads,
  dataDir,
  maxBytes,
  ...deps
}: AttachmentDeps) {
  const guard = deps.guard ?? defaultGuard(leads);
  const root = path.join(dataDir, 'attachments');

  async function load(orgId: number, leadId: number, id: number) {
    const row = await activities.findAttachment(orgId, leadId, id);
    if (!row) throw notFound('Attachment', id);
    return row;
  }

  return {
    maxBytes,

    async listAttachments(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<AttachmentDto[]> {
      await guard(auth, leadId, 'read', opts);
      const q = runner(db, opts);
      await loadLead(leads, auth.orgId, leadId, q);
      return (await activities.listAttachments(auth.orgId, leadId, q)).map(toAttachmentResponse);
    },

    /**
     * Streams an upload to disk, refusing it (413) past the size limit and leaving nothing behind when
     * anything fails.
     */
    async addAttachment(
      auth: AuthContext,
      leadId: number,
      file: { filename: string; contentType?: string; stream: Readable } | undefined,
      opts: TxOptions = {},
    ): Promise<AttachmentDto> {
      await guard(auth, leadId, 'write', opts);
      await loadLead(leads, auth.orgId, leadId, runner(db, opts));
      if (!file) throw fieldError('file', 'send the file as a multipart/form-data part named "file"');
      const filename = safeName(file.filename);
      const key = path.join(
        String(auth.orgId),
        `${Date.now().toString(36)}-${randomBytes(9).toString('hex')}`,
      );
      const target = path.join(root, key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > maxBytes)
            cb(
              new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes.`, [
                { field: 'file', message: `must be at most ${maxBytes} bytes` },
              ]),
            );
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(file.stream, counter, fs.createWriteStream(target, { flags: 'wx' }));
        if ((file.stream as Readable & { truncated?: boolean }).truncated) {
          throw new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes.`, [
            { field: 'file', message: `must be at most ${maxBytes} bytes` },
          ]);
        }
        if (size === 0) throw fieldError('file', 'is empty');
        const row = await inTransaction(db, opts, async (trx) => {
          await loadLead(leads, auth.orgId, leadId, trx);
          return activities.insertAttachment(trx, {
            org_id: auth.orgId,
            lead_id: leadId,
            filename,
            content_type: contentTypeFor(filename, file.contentType),
            size_bytes: size,
            storage_key: key,
            uploaded_by: auth.userId,
            created_at: nowIso(),
          });
        });
        return toAttachmentResponse(row);
      } catch (e) {
        await fs.promises.rm(target, { force: true });
        file.stream.resume();
        throw e;
      }
    },

    /** The stored file with what a download needs: its name, type and size. */
    async openAttachment(auth: AuthContext, leadId: number, id: number) {
      await guard(auth, leadId, 'read');
      await loadLead(leads, auth.orgId, leadId);
      const row = await load(auth.orgId, leadId, id);
      const file = path.join(root, row.storage_key);
      try {
        await fs.promises.access(file, fs.constants.R_OK);
      } catch {
        throw new AppError('not_found', `The file of attachment ${id} is missing from storage.`);
      }
      return { attachment: toAttachmentResponse(row), stream: fs.createReadStream(file) };
    },

    async deleteAttachment(
      auth: AuthContext,
      leadId: number,
      id: number,
      opts: TxOptions = {},
    ): Promise<void> {
      await guard(auth, leadId, 'write', opts);
      const row = await inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        const r = await activities.findAttachment(auth.orgId, leadId, id, trx);
        if (!r) throw notFound('Attachment', id);
        await activities.deleteAttachment(trx, auth.orgId, id);
        return r;
      });
      // After commit: a crash here leaves an orphan file, never a row pointing at nothing.
      await fs.promises.rm(path.join(root, row.storage_key), { force: true });
    },
  };
}

export type AttachmentService = ReturnType<typeof createAttachmentService>;
