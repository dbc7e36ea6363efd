import { Readable } from 'node:stream';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { AppError } from '../http/errors.js';
import type { ImportService } from './import.service.js';
import { ImportListQuery, ImportListResponse, RunBody, ValuesBody, ValuesResponse } from './import.schema.js';

export function importRoutes(imports: ImportService, maxBytes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Multipart only in this scope: the 1 MB JSON body limit of the rest of the API does not apply to uploads.
    await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10 } });

    app.post(
      '/imports',
      {
        bodyLimit: maxBytes + 1024 * 1024,
        schema: {
          tags: ['imports'],
          summary:
            'Upload a lead file (multipart, field "file"): CSV/TSV, XLSX or JSON; returns the import with its preview',
          consumes: ['multipart/form-data'],
          response: { 201: Type.Ref('Import'), ...errorResponses(400, 401, 403, 413, 415) },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        if (!req.isMultipart()) {
          throw new AppError(
            'unsupported_media_type',
            'Send the file as multipart/form-data in a field named "file".',
            [{ field: 'file', message: 'is required' }],
          );
        }
        const part = await req.file();
        if (!part || part.fieldname !== 'file') {
          part?.file.resume();
          throw new AppError('bad_request', 'Send the file in a multipart field named "file".', [
            { field: 'file', message: 'is required' },
          ]);
        }
        const dto = await imports.upload(auth, {
          filename: part.filename,
          stream: part.file,
          truncated: () => part.file.truncated,
        });
        return reply.code(201).header('location', `/api/v1/imports/${dto.id}`).send(dto);
      },
    );

    app.get(
      '/imports',
      {
        schema: {
          tags: ['imports'],
          summary: 'List imports, newest first',
          querystring: ImportListQuery,
          response: { 200: ImportListResponse, ...errorResponses(400, 401) },
        },
      },
      async (req) => imports.list(requireAuth(req), req.query.limit ?? 50, req.query.cursor),
    );

    app.get(
      '/imports/:id',
      {
        schema: {
          tags: ['imports'],
          summary:
            'An import: detected format, header, first rows, suggested mapping; status, counts, percent and rate',
          params: IdParams,
          response: { 200: Type.Ref('Import'), ...errorResponses(401, 404) },
        },
      },
      async (req) => imports.get(requireAuth(req), req.params.id),
    );

    app.post(
      '/imports/:id/run',
      {
        schema: {
          tags: ['imports'],
          summary: 'Start the import in the background (mapping, dedupe, defaults, dry_run)',
          params: IdParams,
          body: RunBody,
          response: { 202: Type.Ref('Import'), ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req, reply) =>
        reply.code(202).send(await imports.run(requireAuth(req), req.params.id, req.body ?? {})),
    );

    app.post(
      '/imports/:id/values',
      {
        schema: {
          tags: ['imports'],
          summary:
            'The value-mapping step for a mapping: distinct values of each vocabulary column with counts and suggested targets, and the custom fields the run would create',
          params: IdParams,
          body: ValuesBody,
          response: { 200: ValuesResponse, ...errorResponses(401, 404, 422) },
        },
      },
      async (req) => imports.valueSuggestions(requireAuth(req), req.params.id, req.body?.mapping),
    );

    app.get(
      '/imports/:id/errors.csv',
      {
        schema: {
          tags: ['imports'],
          summary: 'Every failed row: row, column, value, message (CSV)',
          params: IdParams,
          produces: ['text/csv'],
          response: { ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        const lines = await imports.errorsCsv(requireAuth(req), req.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"`)
          .send(Readable.from(lines));
      },
    );

    app.get(
      '/imports/:id/failed-rows.csv',
      {
        schema: {
          tags: ['imports'],
          summary:
            'The failed rows as the file had them (every column) plus an "error" column: fix them and import the file again (CSV)',
          params: IdParams,
          produces: ['text/csv'],
          response: { ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        const lines = await imports.failedRowsCsv(requireAuth(req), req.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${req.params.id}-failed-rows.csv"`)
          .send(Readable.from(lines));
      },
    );

    app.post(
      '/imports/:id/revert',
      {
        schema: {
          tags: ['imports'],
          summary:
            'Undo a completed import: created leads go to the trash, updated leads get their values back',
          params: IdParams,
          response: { 202: Type.Ref('Import'), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => reply.code(202).send(await imports.revert(requireAuth(req), req.params.id)),
    );
  };
}
