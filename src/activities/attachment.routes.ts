import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../http/errors.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { AttachmentService } from './attachment.service.js';
import * as S from './activity.schema.js';

/** Attachments: multipart upload (part "file"), download with the stored content type, delete. */
export function attachmentRoutes(attachments: AttachmentService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Registered here, not globally: only this plugin accepts multipart bodies, with its own size limit.
    // One byte over the limit lets the service see the overflow and answer 413.
    await app.register(multipart, {
      limits: { fileSize: attachments.maxBytes + 1, files: 1, fields: 10 },
      throwFileSizeLimit: false,
    });
    const tags = ['activities'];

    app.get(
      '/leads/:id/attachments',
      {
        schema: {
          tags,
          summary: 'Attachments of a lead',
          params: IdParams,
          response: { 200: S.AttachmentList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({ data: await attachments.listAttachments(requireAuth(req), req.params.id) }),
    );
    app.post(
      '/leads/:id/attachments',
      {
        schema: {
          tags,
          summary: 'Attach a file (multipart/form-data, part "file"); 413 over the size limit',
          consumes: ['multipart/form-data'],
          params: IdParams,
          response: { 201: S.AttachmentResponse, ...errorResponses(401, 404, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        if (!req.isMultipart()) {
          throw new AppError(
            'unsupported_media_type',
            'Send the file as multipart/form-data in a part named "file".',
            [{ field: 'file', message: 'is required' }],
          );
        }
        const part = await req.file();
        const file =
          part && part.fieldname === 'file'
            ? { filename: part.filename, contentType: part.mimetype, stream: part.file }
            : undefined;
        if (part && !file) part.file.resume();
        const created = await attachments.addAttachment(auth, req.params.id, file);
        return reply.code(201).header('location', created.url).send(created);
      },
    );
    app.get(
      '/leads/:id/attachments/:itemId/content',
      {
        schema: {
          tags,
          summary: 'Download an attachment',
          params: S.LeadChildParams,
          response: errorResponses(401, 404),
        },
      },
      async (req, reply) => {
        const { attachment, stream } = await attachments.openAttachment(
          requireAuth(req),
          req.params.id,
          req.params.itemId,
        );
        return reply
          .type(attachment.content_type)
          .header('content-length', attachment.size_bytes)
          .header(
            'content-disposition',
            `attachment; filename="${attachment.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
          )
          .header('x-content-type-options', 'nosniff')
          .send(stream);
      },
    );
    app.delete(
      '/leads/:id/attachments/:itemId',
      {
        schema: {
          tags,
          summary: 'Delete an attachment and its file',
          params: S.LeadChildParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        await attachments.deleteAttachment(requireAuth(req), req.params.id, req.params.itemId);
        return reply.code(204).send(null);
      },
    );
  };
}
